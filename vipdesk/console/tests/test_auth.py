"""Sign-in, lockout after five failures (django-axes), sign-out, and the language switch."""
import pytest
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _post_login(client, username, password):
    return client.post(reverse("console:login"), {"username": username, "password": password})


def test_login_page_is_chinese_by_default(client):
    page = client.get(reverse("console:login")).content.decode()
    assert "登录" in page and "用户名" in page
    assert 'lang="zh-hans"' in page


def test_login_with_right_password_lands_on_home(client, guide_a):
    response = _post_login(client, "guide_a", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("console:home")
    assert client.get(reverse("console:home")).context["user"] == guide_a


def test_pages_need_login(client):
    response = client.get(reverse("console:member_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("console:login"))


def test_five_failures_lock_the_account_even_for_the_right_password(client, guide_a):
    for _ in range(4):
        assert _post_login(client, "guide_a", "wrong-password").status_code == 200
    locked = _post_login(client, "guide_a", "wrong-password")
    assert "登录失败次数过多，账户已锁定30分钟" in locked.content.decode()
    again = _post_login(client, "guide_a", PASSWORD)
    assert again.status_code != 302
    assert "登录失败次数过多" in again.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_user_name(client, guide_a, guide_b):
    for _ in range(5):
        _post_login(client, "guide_a", "wrong-password")
    assert _post_login(client, "guide_b", PASSWORD).status_code == 302


def test_logout_is_a_post(client, guide_a):
    client.force_login(guide_a)
    assert client.get(reverse("console:logout")).status_code == 405
    response = client.post(reverse("console:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("console:login")
    assert "_auth_user_id" not in client.session


def test_switching_to_english_and_back(client, guide_a):
    client.force_login(guide_a)
    assert "查找会员" in client.get(reverse("console:home")).content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("console:home")})
    assert response.status_code == 302
    page = client.get(reverse("console:home")).content.decode()
    assert "Find a member" in page and "查找会员" not in page and 'lang="en"' in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "查找会员" in client.get(reverse("console:home")).content.decode()
