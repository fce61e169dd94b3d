"""Realistic, deterministic Chinese people for the demo: names, mobiles, ID numbers, addresses.

Everything draws from a `random.Random` passed in, so the same seed gives the same chain.
Pure functions: no database, no Django models.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from vipdesk.core.validators import id_check_digit, normalize_mobile

# Surname → (approximate share in ‰ of the population, pinyin for e-mail handles).
SURNAMES: dict[str, tuple[float, str]] = {
    "王": (71, "wang"), "李": (70, "li"), "张": (66, "zhang"), "刘": (54, "liu"), "陈": (46, "chen"),
    "杨": (31, "yang"), "黄": (23, "huang"), "赵": (22, "zhao"), "吴": (20, "wu"), "周": (19, "zhou"),
    "徐": (14, "xu"), "孙": (14, "sun"), "马": (12, "ma"), "朱": (11, "zhu"), "胡": (11, "hu"),
    "郭": (11, "guo"), "何": (10, "he"), "林": (9.5, "lin"), "高": (9.5, "gao"), "罗": (9, "luo"),
    "郑": (8, "zheng"), "梁": (7, "liang"), "谢": (6.5, "xie"), "宋": (6, "song"), "唐": (6, "tang"),
    "许": (5.5, "xu"), "韩": (5.5, "han"), "冯": (5, "feng"), "邓": (5, "deng"), "曹": (5, "cao"),
    "彭": (4.5, "peng"), "曾": (4.5, "zeng"), "肖": (4.5, "xiao"), "田": (4, "tian"), "董": (4, "dong"),
    "袁": (4, "yuan"), "潘": (4, "pan"), "于": (4, "yu"), "蒋": (4, "jiang"), "蔡": (3.5, "cai"),
    "余": (3.5, "yu"), "杜": (3.5, "du"), "叶": (3.5, "ye"), "程": (3.5, "cheng"), "苏": (3, "su"),
    "魏": (3, "wei"), "吕": (3, "lv"), "丁": (3, "ding"), "任": (3, "ren"), "沈": (3, "shen"),
    "姚": (2.8, "yao"), "卢": (2.8, "lu"), "姜": (2.7, "jiang"), "崔": (2.7, "cui"), "钟": (2.6, "zhong"),
    "谭": (2.5, "tan"), "陆": (2.4, "lu"), "汪": (2.4, "wang"), "范": (2.4, "fan"), "金": (2.3, "jin"),
    "石": (2.3, "shi"), "廖": (2.2, "liao"), "贾": (2.2, "jia"), "夏": (2.1, "xia"), "韦": (2, "wei"),
    "付": (2, "fu"), "方": (2, "fang"), "白": (2, "bai"), "邹": (1.9, "zou"), "孟": (1.9, "meng"),
    "熊": (1.8, "xiong"), "秦": (1.8, "qin"), "邱": (1.8, "qiu"), "江": (1.8, "jiang"), "尹": (1.7, "yin"),
    "薛": (1.6, "xue"), "闫": (1.6, "yan"), "段": (1.5, "duan"), "雷": (1.5, "lei"), "侯": (1.5, "hou"),
    "龙": (1.5, "long"), "史": (1.4, "shi"), "陶": (1.3, "tao"), "黎": (1.3, "li"), "贺": (1.3, "he"),
    "顾": (1.3, "gu"), "毛": (1.2, "mao"), "郝": (1.2, "hao"), "龚": (1.2, "gong"), "邵": (1.2, "shao"),
    "万": (1.1, "wan"), "钱": (1.1, "qian"), "严": (1.1, "yan"), "武": (1, "wu"), "戴": (1, "dai"),
    "孔": (1, "kong"), "欧阳": (0.3, "ouyang"), "上官": (0.1, "shangguan"), "司马": (0.1, "sima"),
}
_SURNAME_KEYS = list(SURNAMES)
_SURNAME_WEIGHTS = [SURNAMES[s][0] for s in _SURNAME_KEYS]

# Single characters that read as a man's or a woman's given name; a few fit both.
MALE_CHARS = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙峰建国志成文海东亮晨博轩睿泽天嘉铭昊毅"
FEMALE_CHARS = "芳娜秀英敏静丽艳娟霞燕玲桂兰萍红梅琳雪婷慧莉倩颖洁佳欣怡悦琪晶璐雯丹妍诗涵萱思雨瑶"
# Whole given names typical of a birth generation (people born before 1970 / after 1988).
OLDER_NAMES = {"M": ["建国", "国强", "卫东", "德明", "志刚", "建华", "永强", "振华", "国庆", "红军"],
               "F": ["秀英", "桂兰", "淑珍", "玉兰", "凤英", "秀兰", "桂英", "淑芬", "秀珍", "玉梅"]}
YOUNGER_NAMES = {"M": ["子轩", "浩然", "宇航", "梓豪", "一鸣", "俊杰", "博文", "嘉懿", "思远", "天佑"],
                 "F": ["欣怡", "梓涵", "诗涵", "雨桐", "可馨", "思琪", "佳怡", "语嫣", "若曦", "一诺"]}

# Mobile ranges of China Mobile, Unicom, Telecom and virtual operators that phonenumbers accepts
# (154, 174 and 179 are left out: not in mobile use).
MOBILE_PREFIXES = ([str(p) for p in range(130, 140)] + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
                   + ["170", "171", "172", "173", "175", "176", "177", "178"] + [str(p) for p in range(180, 190)]
                   + ["198", "199"])


@dataclass(frozen=True)
class City:
    name: str
    districts: tuple[tuple[str, str, tuple[str, ...]], ...]  # (district, ID-number area code, streets)


BEIJING = City("北京市", (
    ("东城区", "110101", ("王府井大街", "东四北大街", "东直门内大街")),
    ("西城区", "110102", ("西单北大街", "金融大街", "广安门内大街")),
    ("朝阳区", "110105", ("建国路", "望京西路", "三里屯路", "朝阳北路")),
    ("海淀区", "110108", ("中关村大街", "学院路", "知春路")),
    ("丰台区", "110106", ("丰台北路", "南三环西路")),
))
HANGZHOU = City("杭州市", (
    ("上城区", "330102", ("延安路", "湖滨路", "庆春路")),
    ("西湖区", "330106", ("文三路", "西溪路", "天目山路")),
    ("拱墅区", "330105", ("凤起路", "莫干山路")),
    ("滨江区", "330108", ("江南大道", "滨盛路")),
))
# People who moved to the city keep the ID number of their birthplace.
MIGRANT_AREAS = ("130102", "370102", "410105", "320102", "340104", "420106", "510104", "360102", "210102", "230102")

OCCUPATIONS = ("企业高管", "公务员", "教师", "医生", "律师", "会计", "工程师", "程序员", "销售经理", "自由职业", "个体经营者",
               "退休", "金融从业者", "设计师", "学生", "全职主妇", "护士", "公司职员", "大学教授", "餐饮店主")
HOBBIES = ("瑜伽", "旅游", "摄影", "烘焙", "高尔夫", "健身", "茶艺", "书法", "广场舞", "阅读", "收藏", "钓鱼", "跑步", "插花", "红酒", "登山", "追剧")
STYLES = ("简约通勤", "轻奢", "休闲运动", "商务正装", "复古", "国潮", "优雅知性", "时尚潮流", "舒适为主", "经典大牌")
HABITS = ("节假日集中购物", "注重品质", "偏好打折季", "常买护肤品", "常为家人购物", "冲动型消费", "理性比价", "只买熟悉的品牌")
PERSONALITIES = ("开朗健谈", "稳重", "注重隐私", "果断", "挑剔", "随和", "热情", "内敛")
LIFESTYLES = ("朝九晚五", "经常出差", "居家为主", "注重养生", "周末户外", "晚间购物")
VALUES = ("品质至上", "性价比优先", "环保", "家庭第一", "品牌忠诚", "追求新鲜感")
ETHNICITIES = (("汉族", 92), ("满族", 2), ("回族", 2), ("蒙古族", 1), ("朝鲜族", 1), ("壮族", 1), ("土家族", 1))
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "outlook.com")


@dataclass
class Person:
    name: str
    surname: str
    gender: str  # "M" / "F"
    birthday: dt.date
    mobile: str
    email: str = ""
    id_number: str = ""
    address: str = ""
    extra: dict = field(default_factory=dict)


class PeopleFactory:
    """Draws people from one seeded generator; mobiles and ID numbers never repeat."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._mobiles: set[str] = set()
        self._ids: set[str] = set()

    def surname(self) -> str:
        return self.rng.choices(_SURNAME_KEYS, weights=_SURNAME_WEIGHTS)[0]

    def given_name(self, gender: str, born: int) -> str:
        rng = self.rng
        if born < 1970 and rng.random() < 0.35:
            return rng.choice(OLDER_NAMES[gender])
        if born > 1988 and rng.random() < 0.3:
            return rng.choice(YOUNGER_NAMES[gender])
        chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
        # Two-character given names are the norm; single ones are commoner among older people.
        size = 1 if rng.random() < (0.35 if born < 1980 else 0.15) else 2
        return "".join(rng.choice(chars) for _ in range(size))

    def name(self, gender: str, born: int = 1985) -> tuple[str, str]:
        surname = self.surname()
        return surname + self.given_name(gender, born), surname

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number in self._mobiles:
                continue
            try:
                normalize_mobile(number)
            except Exception:  # a sub-range phonenumbers does not know: draw again
                continue
            self._mobiles.add(number)
            return number

    def birthday(self, lo: int = 1950, hi: int = 2005) -> dt.date:
        start, end = dt.date(lo, 1, 1), dt.date(hi, 12, 31)
        # Shoppers cluster in their 30s-50s: average two draws to bend the spread towards the middle.
        span = (end - start).days
        offset = (self.rng.randrange(span) + self.rng.randrange(span)) // 2
        return start + dt.timedelta(days=offset)

    def id_number(self, born: dt.date, gender: str, city: City) -> str:
        """GB 11643: area(6) + birth date(8) + serial(3, odd for men) + check digit."""
        area = self.rng.choice(city.districts)[1] if self.rng.random() < 0.7 else self.rng.choice(MIGRANT_AREAS)
        while True:
            serial = self.rng.randrange(100) * 10 + self.rng.choice((1, 3, 5, 7, 9) if gender == "M" else (0, 2, 4, 6, 8))
            body = f"{area}{born:%Y%m%d}{serial:03d}"
            number = body + id_check_digit(body)
            if number not in self._ids:
                self._ids.add(number)
                return number

    def email(self, surname: str, born: dt.date) -> str:
        rng = self.rng
        domain = rng.choice(EMAIL_DOMAINS)
        if domain == "qq.com" and rng.random() < 0.6:
            return f"{rng.randrange(10**5, 3 * 10**9)}@qq.com"
        handle = SURNAMES[surname][1] + rng.choice((str(born.year), f"{born:%m%d}", str(rng.randrange(100, 999)), "_" + str(born.year)[2:]))
        return f"{handle}@{domain}"

    def address(self, city: City) -> str:
        rng = self.rng
        district, _area, streets = rng.choice(city.districts)
        return (f"{city.name}{district}{rng.choice(streets)}{rng.randrange(1, 300)}号院"
                f"{rng.randrange(1, 20)}号楼{rng.randrange(1, 6)}单元{rng.randrange(1, 30)}{rng.randrange(1, 5):02d}室")

    def ethnicity(self) -> str:
        return self.rng.choices([e for e, _w in ETHNICITIES], weights=[w for _e, w in ETHNICITIES])[0]

    def sizes(self, gender: str) -> tuple[str, str]:
        rng = self.rng
        if gender == "F":
            return rng.choice(("S", "M", "M", "L", "160/84A", "165/88A")), str(rng.choice((35, 36, 36, 37, 37, 38, 39)))
        return rng.choice(("M", "L", "L", "XL", "XXL", "175/92A", "180/96A")), str(rng.choice((39, 40, 41, 42, 42, 43, 44)))

    def pick(self, pool, k_lo: int = 1, k_hi: int = 2) -> str:
        return "、".join(self.rng.sample(pool, self.rng.randint(k_lo, k_hi)))
