"""The app as a WSGI module for trying several server processes under the load benchmark.

Not how the app is deployed (that is `mutuals serve --http`, one waitress process): it lets
http_load.py measure gunicorn workers, each loading its own index and data connections:

  pip install gunicorn
  python benchmarks/http_load.py --levels 32 --app-command "gunicorn -w 2 -k gthread \
    --threads 8 --pythonpath $PWD/benchmarks -b 127.0.0.1:{port} gunicorn_app:application"

(the app starts in a temp directory, hence the absolute --pythonpath).

The settings come from the environment that http_load.py gives the app.
"""

from bot.app import build_app
from bot.server import configure_logging, load_services, wsgi_app
from bot.settings import load_settings

settings = load_settings()
configure_logging(settings.log_level)
application = wsgi_app(build_app(settings, load_services(settings)), settings.signing_secret)
