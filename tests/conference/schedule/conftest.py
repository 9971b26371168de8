import pytest

from conference.tasks import huey


@pytest.fixture
def enqueued(monkeypatch):
    """Tasks the code enqueued, recorded instead of written to the real queue."""
    tasks = []
    monkeypatch.setattr(huey, "enqueue", tasks.append)
    return tasks
