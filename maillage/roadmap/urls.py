from django.urls import path

from maillage.roadmap import views

app_name = "roadmap"
urlpatterns = [
    path("", views.roadmap_index, name="index"),
    path("import/", views.roadmap_import, name="import"),
    path("<slug:slug>/", views.roadmap_detail, name="detail"),
    path("<slug:slug>/transparence/", views.transparency, name="transparency"),
    path("<slug:slug>/matrice/", views.theme_matrix, name="matrix"),
    path("<slug:slug>/calendrier/", views.roadmap_calendar, name="calendar"),
    path("<slug:slug>/indicateurs/", views.indicator_list, name="indicators"),
    path("<slug:slug>/indicateurs/<slug:code>/valeur/", views.indicator_value, name="indicator_value"),
    path("<slug:slug>/objectifs/", views.roadmap_targets, name="targets"),
    path("<slug:slug>/gouvernance/", views.governance, name="governance"),
    path("<slug:slug>/gouvernance/<int:body_id>/reunion/", views.meeting_create, name="meeting_create"),
    path("<slug:slug>/gouvernance/atelier/", views.workshop_create, name="workshop_create"),
    path("<slug:slug>/financements/", views.financing, name="financing"),
    path("<slug:slug>/financements/ajouter/", views.financing_create, name="financing_create"),
    path("<slug:slug>/fonds/<int:fund_id>/mouvement/", views.fund_movement_create, name="fund_movement"),
    path("<slug:slug>/rapport/", views.copil_report, name="report"),
    path("<slug:slug>/rapport.pdf", views.copil_report_pdf, name="report_pdf"),
    path("<slug:slug>/rapport.xlsx", views.copil_report_xlsx, name="report_xlsx"),
    path("<slug:slug>/export.<str:fmt>", views.roadmap_export, name="export"),
    path("<slug:slug>/actions/<str:code>/", views.action_detail, name="action"),
    path("<slug:slug>/actions/<str:code>/statut/", views.action_status, name="action_status"),
    path("<slug:slug>/actions/<str:code>/modifier/", views.action_edit, name="action_edit"),
    path("<slug:slug>/actions/<str:code>/jalons/<int:milestone_id>/", views.milestone_mark, name="milestone_mark"),
    path("<slug:slug>/actions/<str:code>/budget/<int:line_id>/", views.budget_spent, name="budget_spent"),
]
