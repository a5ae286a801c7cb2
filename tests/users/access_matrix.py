from tests.access import everyone, signed_in

PAGES = {
    "users:login": (lambda w: {}, {**everyone(302), "anonyme": 200}),
    "users:logout": (lambda w: {}, everyone(405)),
    "users:account": (lambda w: {}, signed_in(200)),
    "users:password_change": (lambda w: {}, signed_in(200)),
    "users:password_reset": (lambda w: {}, everyone(200)),
    "users:password_reset_done": (lambda w: {}, everyone(200)),
    "users:password_reset_confirm": (lambda w: {"uidb64": "MQ", "token": "faux-jeton"}, everyone(200)),
    "users:password_reset_complete": (lambda w: {}, everyone(200)),
}
