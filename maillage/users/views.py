from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy

from maillage.core.policy import AUTHENTICATED, PUBLIC, access
from maillage.users import forms, services


class LoginView(auth_views.LoginView):
    template_name = "users/login.html"
    form_class = forms.LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_logged_in(user=form.get_user())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "users/password_change.html"
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("users:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=form.user)
        return response


login = access(PUBLIC)(LoginView.as_view())
logout = access(PUBLIC)(auth_views.LogoutView.as_view())
password_change = access(AUTHENTICATED)(PasswordChangeView.as_view())
password_reset = access(PUBLIC)(
    auth_views.PasswordResetView.as_view(
        template_name="users/password_reset.html",
        form_class=forms.PasswordResetForm,
        email_template_name="users/emails/password_reset.txt",
        subject_template_name="users/emails/password_reset_subject.txt",
        success_url=reverse_lazy("users:password_reset_done"),
        extra_email_context={"platform_name": settings.MAILLAGE_SITE_NAME},
    )
)
password_reset_done = access(PUBLIC)(
    auth_views.PasswordResetDoneView.as_view(template_name="users/password_reset_done.html")
)
password_reset_confirm = access(PUBLIC)(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="users/password_reset_confirm.html",
        form_class=forms.SetPasswordForm,
        success_url=reverse_lazy("users:password_reset_complete"),
    )
)
password_reset_complete = access(PUBLIC)(
    auth_views.PasswordResetCompleteView.as_view(template_name="users/password_reset_complete.html")
)


@access(AUTHENTICATED)
def account(request):
    memberships = request.user.memberships.filter(is_active=True).select_related("structure")
    return render(request, "users/account.html", {"memberships": memberships})
