from tests.access import everyone

PAGES = {
    "territories:index": (lambda w: {}, everyone(200)),
    "territories:region": (lambda w: {"code": "24"}, everyone(200)),
    "territories:departement": (lambda w: {"code": "28"}, everyone(200)),
    "territories:epci": (lambda w: {"code": "200069961"}, everyone(200)),
    "territories:search": (lambda w: {}, everyone(200)),
    "territories:commune": (lambda w: {"code": "28088"}, everyone(200)),
    "territories:map_data": (lambda w: {"level": "departement", "code": "28", "fmt": "csv"}, everyone(200)),
}

API_OPERATIONS = {
    ("get", "/api/v1/communes"): (lambda w: {}, "?q=chateaudun", everyone(200)),
    ("get", "/api/v1/communes/{code}"): (lambda w: {"code": "28088"}, "", everyone(200)),
    ("get", "/api/v1/epci/{siren}"): (lambda w: {"siren": "200069961"}, "", everyone(200)),
    ("get", "/api/v1/departements/{code}"): (lambda w: {"code": "28"}, "", everyone(200)),
    ("get", "/api/v1/regions/{code}"): (lambda w: {"code": "24"}, "", everyone(200)),
}
