import os
import sys

from django.core.wsgi import get_wsgi_application

# A server thread that has waited on the database takes the interpreter lock back from a thread
# busy rendering a page after at most this long (Python's default: 5 ms). A booking makes about
# twenty round trips to the database, so beside a page being rendered in the same process it
# could wait that long after each one; 1 ms keeps its answer short at a small cost to the
# busy thread.
sys.setswitchinterval(float(os.environ.get("THREAD_SWITCH_INTERVAL_MS", "1")) / 1000)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sotclinic.settings")
application = get_wsgi_application()
