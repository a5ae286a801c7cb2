from django.urls import path

from maillage.structures import views

app_name = "structures"
urlpatterns = [
    path("", views.structure_list, name="list"),
    path("nouvelle/", views.structure_create, name="create"),
    path("<int:pk>/", views.structure_detail, name="detail"),
    path("<int:pk>/modifier/", views.structure_update, name="update"),
    path("<int:pk>/inviter/", views.member_invite, name="invite"),
    path("<int:pk>/membres/<int:membership_pk>/retirer/", views.member_revoke, name="member_revoke"),
    path("<int:pk>/invitations/<int:invitation_pk>/annuler/", views.invitation_cancel, name="invitation_cancel"),
    path("territoire/inviter/", views.territory_invite, name="territory_invite"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
