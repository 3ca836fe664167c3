"""The BAPP Auto API, declared: Django REST Framework dialect, tenant and app headers."""

from __future__ import annotations

import requests

from clientkit import ErrorShape, PageNumber, QueryStyle, Resource, RetryPolicy, Service, Timeout, field
from clientkit.auth import OneOf, TokenAuth
from clientkit.jobs import Flag, Job

ONE, MANY = "/content-type/{ct}/{id}/", "/content-type/{ct}/"


class BappApi(Service):
    """Tenant and app headers from the context; errors are ``requests.HTTPError``s too."""

    base_url = "https://panel.bapp.ro/api"
    auth = OneOf(TokenAuth(scheme="Bearer", keyword="bearer"), TokenAuth(scheme="Token"), optional=True)
    headers = {"x-tenant-id": "{tenant}", "x-app-slug": "{app}"}
    context = {"tenant": None, "app": "account"}
    pagination = PageNumber(items="results", total="count", next="next")
    errors = ErrorShape(message="detail", fields="$", mixin=requests.exceptions.HTTPError)
    query = QueryStyle(booleans=("True", "False"))  # the official client sends str(True)
    retry = RetryPolicy(retries=3, backoff=1.0, backoff_cap=10.0, statuses=frozenset({429, 502, 503, 504}))
    timeout = Timeout(connect=30, read=30)


@BappApi.resource(one=ONE, many=MANY, parents=("ct",))
class Entity(Resource):  # any content type's record, its fields in extra(obj); BappApiClient.model types them
    id: int | str | None = field(read_only=True)


#: a task run, polled in ``bapp_framework.taskdata`` until it is finished or failed
TASK = Job(start="/tasks/{code}", status="/content-type/bapp_framework.taskdata/", id_in="query",
           narrow="results.0", check_id="id", done=Flag("finished"), failed=Flag("failed"),
           message="message", progress="progress", immediate=True, name="task")  # fmt: skip
