from django.urls import path

from maillage.places.views import dedup, directory, manage, operator, orientation, public

app_name = "places"
urlpatterns = [
    path("", public.place_search, name="search"),
    path("<int:pk>/", public.place_detail, name="detail"),
    path("export.<str:fmt>", public.place_export, name="export"),
    path("orientation/", orientation.orientation_sheet, name="orientation"),
    path("orientation/lien/", orientation.orientation_link_create, name="orientation_link_create"),
    path("o/<str:code>/", orientation.orientation_link, name="orientation_link"),
    path("annuaire/", directory.directory, name="directory"),
    path("telephone/", operator.operator, name="operator"),
    path("telephone/enregistrer/", operator.operator_record, name="operator_record"),
    path("telephone/statistiques/", operator.operator_statistics, name="operator_statistics"),
    path("imports/", manage.import_list, name="imports"),
    path("imports/<int:pk>/", manage.import_detail, name="import_detail"),
    path("quarantaine/", manage.quarantine_list, name="quarantine"),
    path("quarantaine/<int:pk>/", manage.quarantine_fix, name="quarantine_fix"),
    path("quarantaine/<int:pk>/ecarter/", manage.quarantine_discard, name="quarantine_discard"),
    path("doublons/", dedup.duplicate_list, name="duplicates"),
    path("doublons/<int:pk>/", dedup.duplicate_detail, name="duplicate_detail"),
    path("doublons/<int:pk>/ecarter/", dedup.duplicate_dismiss, name="duplicate_dismiss"),
    path("fusions/", dedup.merge_list, name="merges"),
    path("fusions/<int:pk>/annuler/", dedup.merge_undo, name="merge_undo"),
    path("<int:pk>/modifier/", manage.place_edit, name="edit"),
    path("<int:pk>/historique/", manage.place_history, name="history"),
]
