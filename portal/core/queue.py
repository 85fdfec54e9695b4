"""Queue a Celery task by its stable name, so that a service never imports its tasks module.

Tasks are thin: they import the service they call. A service that must queue work looks the
task up by name instead of importing it back, which would make the two modules a cycle.
"""

from celery import current_app


def task(name: str):
    """The registered task called `name`; every app's tasks module is imported on first use."""
    tasks = current_app.tasks
    if name not in tasks:
        current_app.loader.import_default_modules()
    return tasks[name]
