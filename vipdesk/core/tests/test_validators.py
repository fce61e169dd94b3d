import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from vipdesk.core.masking import mask_email, mask_id_number, mask_mobile, mask_name
from vipdesk.core.money import quantize
from vipdesk.core.validators import id_check_digit, luhn_check_digit, luhn_valid, normalize_id_number, normalize_mobile


@pytest.mark.parametrize("raw", ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "008613800138000", "8613800138000"])
def test_mobile_normalised(raw):
    assert normalize_mobile(raw) == "13800138000"


@pytest.mark.parametrize("raw", ["", "1380013800", "138001380001", "23800138000", "12800138000", "010-12345678",
                                 "1380013800a", "+1 415 555 2671", "11111111111"])
def test_bad_mobiles_refused(raw):
    with pytest.raises(ValidationError):
        normalize_mobile(raw)


def test_id_number_checksum():
    # The GB 11643 worked example: 11010519491231002X
    assert id_check_digit("11010519491231002") == "X"
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValidationError):
        normalize_id_number("110105194912310021")  # wrong check digit
    with pytest.raises(ValidationError):
        normalize_id_number("11010519491331002X")  # month 13
    with pytest.raises(ValidationError):
        normalize_id_number("1101051949123100")  # too short
    future = "110105" + "20990101" + "123"
    with pytest.raises(ValidationError):
        normalize_id_number(future + id_check_digit(future), today=dt.date(2026, 11, 22))


def test_luhn():
    body = "886000000000123"
    number = body + luhn_check_digit(body)
    assert luhn_valid(number)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not luhn_valid(wrong)


def test_masks():
    assert mask_mobile("13812341234") == "138****1234"
    assert mask_name("张") == "张"
    assert mask_name("张三") == "张*"
    assert mask_name("张小明") == "张*明"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_email("zhang@example.cn") == "z***@example.cn"
    assert mask_id_number("11010519491231002X") == "110***********002X"


def test_money_refuses_float():
    assert str(quantize("1.005")) == "1.01"
    with pytest.raises(TypeError):
        quantize(1.5)
