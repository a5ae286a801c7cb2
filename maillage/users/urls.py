from django.urls import path

from maillage.users import views

app_name = "users"
urlpatterns = [
    path("connexion/", views.login, name="login"),
    path("deconnexion/", views.logout, name="logout"),
    path("compte/", views.account, name="account"),
    path("compte/mot-de-passe/", views.password_change, name="password_change"),
    path("mot-de-passe-oublie/", views.password_reset, name="password_reset"),
    path("mot-de-passe-oublie/envoye/", views.password_reset_done, name="password_reset_done"),
    path("mot-de-passe/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("mot-de-passe/termine/", views.password_reset_complete, name="password_reset_complete"),
]
