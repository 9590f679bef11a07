"""/<lang>/manage/api-tokens/: a person's own API tokens (views/tokens.py)."""

from django.urls import path

from .views import tokens

app_name = "api_tokens"

urlpatterns = [
    path("", tokens.token_list, name="list"),
    path("new/", tokens.new_token, name="new"),
    path("<int:pk>/revoke/", tokens.revoke, name="revoke"),
]
