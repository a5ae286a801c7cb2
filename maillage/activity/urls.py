from django.urls import path

from maillage.activity.views import beneficiaries, dashboard, entry, imports

app_name = "activity"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("export.<str:fmt>", dashboard.export, name="export"),
    path("structure/<int:pk>/", dashboard.structure_dashboard, name="structure_dashboard"),
    path("structure/<int:pk>/export.<str:fmt>", dashboard.structure_export, name="structure_export"),
    path("mediateur/<int:pk>/", dashboard.mediateur_dashboard, name="mediateur_dashboard"),
    path("mediateur/<int:pk>/export.<str:fmt>", dashboard.mediateur_export, name="mediateur_export"),
    path("saisie/", entry.record, name="record"),
    path("mes-activites/", entry.my_activities, name="mine"),
    path("<int:pk>/modifier/", entry.edit, name="edit"),
    path("<int:pk>/supprimer/", entry.delete, name="delete"),
    path("beneficiaires/", beneficiaries.beneficiary_list, name="beneficiaries"),
    path("beneficiaires/nouveau/", beneficiaries.beneficiary_create, name="beneficiary_create"),
    path("beneficiaires/<int:pk>/", beneficiaries.beneficiary_detail, name="beneficiary"),
    path("beneficiaires/<int:pk>/export/", beneficiaries.beneficiary_export, name="beneficiary_export"),
    path("beneficiaires/<int:pk>/effacer/", beneficiaries.beneficiary_erase, name="beneficiary_erase"),
    path("imports/", imports.import_list, name="imports"),
    path("imports/modele.<str:fmt>", imports.import_template, name="import_template"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("quarantaine/", imports.quarantine_list, name="quarantine"),
    path("quarantaine/<int:pk>/", imports.quarantine_fix, name="quarantine_fix"),
    path("quarantaine/<int:pk>/ecarter/", imports.quarantine_discard, name="quarantine_discard"),
]
