from django.core.wsgi import get_wsgi_application

from config import setup_environment

setup_environment()
application = get_wsgi_application()
