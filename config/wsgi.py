import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Load the Korean morphology model now, not on the first search or write: under gunicorn's
# --preload the master loads it once and the forked workers share its pages (measured by
# bench/bench_memory.py).
if os.environ.get("MARGINALIA_PRELOAD_MODEL", "1") != "0":
    from search.analysis import kiwi_preload

    kiwi_preload()

# Move everything loaded so far out of the collector's generations: a collection in a forked
# worker would otherwise write to (and so copy) the pages of every object it visits.
gc.freeze()
