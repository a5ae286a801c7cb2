from tests.access import MANAGERS, everyone, only

PAGES = {
    "core:home": (lambda w: {}, everyone(200)),
    "core:accessibility": (lambda w: {}, everyone(200)),
    "core:privacy": (lambda w: {}, everyone(200)),
    "core:journal": (lambda w: {}, only(MANAGERS)),
}
