"""Masking of personal data for viewers without the right to see it (R1.3)."""


def mask_mobile(mobile: str | None) -> str:
    if not mobile:
        return ""
    if len(mobile) == 11:
        return f"{mobile[:3]}****{mobile[-4:]}"
    return "*" * max(len(mobile) - 4, 0) + mobile[-4:]


def mask_name(name: str | None) -> str:
    """张 → 张; 张三 → 张*; 张小明 → 张*明; 欧阳娜娜 → 欧**娜."""
    if not name:
        return ""
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_email(email: str | None) -> str:
    if not email or "@" not in email:
        return ""
    local, domain = email.split("@", 1)
    return (local[0] if local else "") + "***@" + domain


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(value: str | None) -> str:
    return "******" if value else ""
