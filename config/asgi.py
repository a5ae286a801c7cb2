from django.core.asgi import get_asgi_application

from config import setup_environment

setup_environment()
application = get_asgi_application()
