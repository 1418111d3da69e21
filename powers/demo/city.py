"""City-scale demo data (the seeds' figures): ≈8,000 powers, ≈2,000 legal documents, ≈10,000 discretion
standards, ≈2,100 flowcharts over ~60 city departments, 6 districts, their towns and villages.

Bulk inserts in batches (no service verbs: one summarising audit event ``demo.seed_city`` instead),
deterministic (seeded random), refuses to run twice. ``factor`` scales every figure (tests use 0.01).
"""

import random
import time
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal import audit, search
from portal.choices import AppraisalSeries, DepartmentKind, Level
from portal.models import AuditEvent, Department, Post

from ..choices import CATEGORY_CODE, Category, ChangeKind, DocumentKind, PowerStatus, StepKind
from ..models import (
    DiscretionBand,
    DiscretionStandard,
    Flowchart,
    FlowStep,
    LegalArticle,
    LegalDocument,
    Power,
)
from .catalogue import FLOW_TEMPLATES

TARGETS = {"powers": 8000, "documents": 2000, "standards": 10000, "flowcharts": 2100}
SEED_VERB = "demo.seed_city"
COMPLAINT = "12345市民热线、12388纪检监察举报电话"

CITY_BUREAUS = [
    ("FGW", "发展和改革委员会"), ("GXJ", "工业和信息化局"), ("CZJ", "财政局"), ("JTJ", "交通运输局"), ("SLJ", "水利局"),
    ("NYJ", "农业农村局"), ("SWUJ", "商务局"), ("WLJ", "文化和旅游局"), ("YJGL", "应急管理局"), ("SJJ", "审计局"),
    ("TJJ", "统计局"), ("YBJ", "医疗保障局"), ("LYJ", "林业局"), ("TYJ", "体育局"), ("TYJR", "退役军人事务局"),
    ("SFJ", "司法局"), ("KJJ", "科学技术局"), ("RFB", "人民防空办公室"), ("JRJ", "地方金融监督管理局"),
    ("GKJ", "港口管理局"), ("HYJ", "海洋发展局"), ("YCJ", "烟草专卖局"), ("QXJ", "气象局"), ("XFZD", "消防救援支队"),
    ("JJZD", "公安局交通警察支队"), ("DAJ", "档案局"), ("MZZJ", "民族与宗教事务局"), ("JGSW", "机关事务管理局"),
    ("GJJ", "住房公积金管理中心"), ("YLLH", "园林绿化局"), ("SZGL", "市政园林局"), ("LSJ", "粮食和物资储备局"),
    ("YZGL", "邮政管理局"), ("TXGL", "通信管理局"), ("YPJ", "药品监督管理局"), ("ZSCQ", "知识产权局"),
    ("CLH", "残疾人联合会"), ("DZJ", "地震局"), ("WSB", "人民政府外事办公室"), ("QWB", "人民政府侨务办公室"),
    ("SJGL", "大数据管理局"), ("GGZY", "公共资源交易中心"), ("FGJ", "房屋管理局"), ("CHJ", "测绘地理信息局"),
]  # fmt: skip
DISTRICTS = [("SM", "思明", "SMQ"), ("HL", "湖里", "HLQ"), ("JM", "集美", None), ("HC", "海沧", None),
             ("TA", "同安", None), ("XA", "翔安", None)]  # fmt: skip
DISTRICT_BUREAUS = [("SCJ", "市场监督管理局"), ("CGJ", "城市管理行政执法局"), ("ZJJ", "建设与交通局"),
                    ("HBJ", "生态环境分局"), ("MZJ", "民政局"), ("RSJ", "人力资源和社会保障局"),
                    ("WJJ", "卫生健康局"), ("JYJ", "教育局")]  # fmt: skip
EXISTING_DISTRICT_BUREAUS = {("SM", "SCJ"): "QSCJ", ("SM", "CGJ"): "QCGJ"}
TOWNS = {
    "SM": ["厦港", "中华", "鹭江", "开元", "梧村", "筼筜", "莲前", "嘉莲", "滨海"],
    "HL": ["湖里", "殿前", "禾山", "江头", "金山"],
    "JM": ["集美", "侨英", "杏林", "杏滨", "灌口镇", "后溪镇"],
    "HC": ["海沧", "新阳", "嵩屿", "东孚镇"],
    "TA": ["大同", "祥平", "五显镇", "莲花镇", "汀溪镇", "西柯镇", "新民镇", "洪塘镇"],
    "XA": ["新店镇", "马巷镇", "内厝镇", "新圩镇", "大嶝", "金海"],
}
VILLAGE_STEMS = ["东园", "西林", "南山", "北岸", "后埔", "前村", "龙山", "凤凰", "新村", "古楼", "山边", "溪头", "上塘",
                 "下湖", "田厝", "林后", "石亭", "浦边", "洋塘", "莲美", "埭头", "后坑", "塘边", "内林"]  # fmt: skip

DOMAINS = [
    "食品安全", "药品管理", "城乡规划", "建筑市场", "道路交通安全", "消防", "环境保护", "水污染防治", "大气污染防治",
    "固体废物污染环境防治", "土地管理", "矿产资源", "森林资源", "野生动物保护", "渔业", "畜牧", "种子", "农药",
    "动物防疫", "安全生产", "特种设备安全", "产品质量", "计量", "标准化", "广告", "价格", "反不正当竞争",
    "消费者权益保护", "电子商务", "旅游", "文物保护", "出版物", "职业教育", "体育", "医疗机构", "传染病防治",
    "母婴保健", "社会救助", "养老服务", "殡葬", "劳动保障监察", "就业促进", "社会保险", "住房公积金", "物业",
    "城市供水", "城镇排水与污水处理", "城市绿化", "市容和环境卫生", "户外广告", "城市道路", "公路", "港口", "海域使用",
    "海洋环境保护", "气象", "档案", "统计", "审计", "税收征收", "招标投标", "政府采购", "人民防空", "民用爆炸物品",
    "烟草专卖", "宗教事务", "居住证", "危险化学品安全", "道路运输", "城市公共交通", "水资源", "防洪", "河道",
    "地震", "测绘", "不动产登记", "燃气", "散装水泥", "节约能源", "无线电",
]  # fmt: skip
TITLE_FORMS = [
    (DocumentKind.LAW, "中华人民共和国{d}法"), (DocumentKind.ADMIN_REGULATION, "{d}管理条例"),
    (DocumentKind.ADMIN_REGULATION, "中华人民共和国{d}法实施条例"), (DocumentKind.LOCAL_REGULATION, "示范市{d}条例"),
    (DocumentKind.LOCAL_REGULATION, "示范市{d}管理规定"), (DocumentKind.DEPT_RULE, "{d}监督管理办法"),
    (DocumentKind.DEPT_RULE, "{d}行政处罚办法"), (DocumentKind.DEPT_RULE, "{d}许可管理办法"),
    (DocumentKind.LOCAL_RULE, "示范市{d}管理办法"), (DocumentKind.LOCAL_RULE, "示范市{d}实施办法"),
    (DocumentKind.NORMATIVE, "示范市{d}行政处罚自由裁量基准"), (DocumentKind.NORMATIVE, "关于加强{d}监督管理工作的意见"),
    (DocumentKind.NORMATIVE, "示范市{d}行政许可实施细则"), (DocumentKind.NORMATIVE, "示范市{d}专项资金管理办法"),
    (DocumentKind.NORMATIVE, "示范市{d}信用评价管理办法"), (DocumentKind.DEPT_RULE, "{d}监督检查规定"),
    (DocumentKind.LOCAL_RULE, "示范市{d}若干规定"), (DocumentKind.NORMATIVE, "示范市{d}应急预案"),
    (DocumentKind.NORMATIVE, "示范市{d}举报奖励办法"), (DocumentKind.NORMATIVE, "示范市{d}执法程序规定"),
    (DocumentKind.DEPT_RULE, "{d}登记管理办法"), (DocumentKind.LOCAL_RULE, "示范市{d}补助资金管理办法"),
    (DocumentKind.NORMATIVE, "示范市{d}收费管理办法"), (DocumentKind.NORMATIVE, "示范市{d}争议处理办法"),
    (DocumentKind.NORMATIVE, "示范市{d}工作规范"), (DocumentKind.NORMATIVE, "示范市{d}“双随机、一公开”实施细则"),
]  # fmt: skip
ISSUERS = {DocumentKind.LAW: "全国人民代表大会常务委员会", DocumentKind.ADMIN_REGULATION: "国务院",
           DocumentKind.LOCAL_REGULATION: "示范市人民代表大会常务委员会", DocumentKind.DEPT_RULE: "国务院有关部门",
           DocumentKind.LOCAL_RULE: "示范市人民政府", DocumentKind.NORMATIVE: "示范市人民政府办公厅"}  # fmt: skip

OBJECTS = [
    "食品经营", "药品零售", "医疗器械经营", "建筑工程施工", "城市道路占用", "户外广告设置", "排污", "取水", "采矿",
    "林木采伐", "娱乐场所经营", "互联网上网服务营业场所经营", "出版物零售", "旅行社设立", "人力资源服务",
    "劳务派遣经营", "民办职业培训学校设立", "放射诊疗", "母婴保健技术服务", "公共场所卫生", "危险化学品经营",
    "烟花爆竹零售", "燃气经营", "污水排入排水管网", "临时占用城市绿地", "砍伐城市树木", "建筑垃圾处置", "渔业捕捞",
    "兽药经营", "农药经营", "种子生产经营", "生猪定点屠宰", "道路运输经营", "网络预约出租汽车经营", "港口经营",
    "海域使用", "特种设备生产", "检验检测机构资质", "拍卖企业设立", "典当业务经营", "文物保护工程施工",
    "宗教活动场所设立", "殡葬设施建设", "社会团体成立", "民办非企业单位成立", "大型群众性活动", "人防工程拆除",
    "商品房预售", "物业服务", "二次供水设施", "城市排水设施拆除", "机动车维修经营", "驾驶员培训", "水域滩涂养殖",
    "动物诊疗", "食品生产", "化妆品生产", "消防设施检测", "建设工程质量检测", "房地产经纪",
]  # fmt: skip
PENALTY_FORMS = ["对未取得{o}许可擅自从事相关活动的处罚", "对{o}中提供虚假材料的处罚", "对拒绝、阻挠{o}监督检查的处罚",
                 "对{o}未按规定建立管理台账的处罚", "对{o}超出核定范围的处罚", "对{o}逾期未改正违法行为的处罚",
                 "对{o}未按规定公示信息的处罚"]  # fmt: skip
NAME_FORMS = {
    Category.LICENSING: ["{o}许可", "{o}审批", "{o}核准", "{o}许可证延续", "{o}许可变更"],
    Category.PENALTY: PENALTY_FORMS,
    Category.COERCION: ["查封、扣押{o}相关违法物品", "对违法{o}采取暂扣措施", "责令停止{o}并查封场所"],
    Category.INSPECTION: ["对{o}的监督检查", "{o}安全检查", "{o}“双随机”抽查"],
    Category.LEVY: ["{f}征收"],
    Category.BENEFIT: ["{b}给付", "{b}发放"],
    Category.CONFIRMATION: ["{c}登记", "{c}认定", "{c}确认"],
    Category.REWARD: ["{r}举报奖励", "{r}表彰奖励"],
    Category.ADJUDICATION: ["{a}争议裁决", "{a}纠纷处理"],
    Category.OTHER: ["{x}"],
}
FILLERS = {
    "f": [
        "城市基础设施配套费",
        "污水处理费",
        "水资源费",
        "土地闲置费",
        "防空地下室易地建设费",
        "残疾人就业保障金",
        "社会保险费",
        "耕地开垦费",
        "海域使用金",
        "不动产登记费",
        "城镇垃圾处理费",
        "教育费附加",
        "地方教育附加",
        "文化事业建设费",
        "车辆通行费",
        "排污权有偿使用费",
    ],
    "b": [
        "最低生活保障金",
        "特困人员供养金",
        "临时救助金",
        "高龄津贴",
        "残疾人两项补贴",
        "优抚对象抚恤金",
        "失业保险金",
        "工伤保险待遇",
        "孤儿基本生活费",
        "计划生育家庭特别扶助金",
        "农业支持保护补贴",
        "就业困难人员社会保险补贴",
        "创业担保贷款贴息",
        "医疗救助金",
        "住房租赁补贴",
        "义务兵家庭优待金",
    ],
    "c": [
        "工伤",
        "烈士",
        "伤残等级",
        "就业困难人员",
        "低收入家庭",
        "高新技术企业",
        "农民专业合作社",
        "家庭农场",
        "户口迁移",
        "林权",
        "土地承包经营权",
        "古树名木",
        "历史风貌建筑",
        "残疾人证",
        "医疗机构执业",
        "养老机构",
    ],
    "r": [
        "食品安全违法行为",
        "安全生产非法违法行为",
        "环境违法行为",
        "税收违法行为",
        "见义勇为",
        "科学技术进步",
        "消防违法行为",
        "价格违法行为",
        "拒绝毒品",
        "优秀教学成果",
    ],
    "a": ["土地权属", "林木林地权属", "水事", "劳动人事", "专利侵权", "商标侵权", "医疗损害赔偿", "草原权属"],
    "x": [
        "政府信息公开申请答复",
        "重大行政决策合法性审查",
        "行政规范性文件备案审查",
        "企业年度报告公示抽查",
        "信用修复",
        "村级集体资产资源处置",
        "宅基地申请初审",
        "村务公开",
        "居民公约备案",
        "公益岗位人员推荐",
        "社区矫正对象日常管理",
        "征兵初审",
        "流动人口信息登记",
        "困难群众入户调查",
        "门前三包责任书签订",
    ],
}
CATEGORY_MIX = {
    Level.CITY: {"penalty": 40, "licensing": 12, "coercion": 6, "levy": 4, "benefit": 4, "inspection": 14,
                 "confirmation": 8, "reward": 3, "adjudication": 2, "other": 7},
    Level.DISTRICT: {"penalty": 35, "licensing": 8, "coercion": 6, "levy": 3, "benefit": 8, "inspection": 18,
                     "confirmation": 10, "reward": 3, "adjudication": 2, "other": 7},
    Level.TOWN: {"penalty": 12, "licensing": 4, "coercion": 4, "benefit": 16, "inspection": 20, "confirmation": 16,
                 "other": 28},
    Level.VILLAGE: {"other": 60, "confirmation": 20, "benefit": 10, "inspection": 10},
}  # fmt: skip
# Powers per department, relative (the city's bureaus hold most of the list).
WEIGHT = {Level.CITY: 70, Level.DISTRICT: 40, Level.TOWN: 25, Level.VILLAGE: 4}
FACTS = [("违法所得", "元"), ("货值金额", "元"), ("占用面积", "平方米"), ("违法次数", "次"), ("持续天数", "日"),
         ("涉及人数", "人"), ("违法建设面积", "平方米"), ("违法经营额", "元")]  # fmt: skip
SEVERITIES = ["轻微", "一般", "较重", "严重"]
STATUS_MIX = [(PowerStatus.PUBLISHED, 960), (PowerStatus.DRAFT, 12), (PowerStatus.SUBMITTED, 12),
              (PowerStatus.APPROVED, 8), (PowerStatus.RETURNED, 8)]  # fmt: skip


def _scaled(n, factor):
    return max(1, round(n * factor))


def seed_city(stdout, factor: float = 1.0, seed: int = 20240601) -> dict | None:
    """Bulk-load the city-scale figures. Returns the counts, or None when they were already loaded."""
    if AuditEvent.objects.filter(verb=SEED_VERB).exists():
        stdout.write("    city-scale data already loaded; skipped")
        return None
    started = time.monotonic()
    rng = random.Random(seed)

    def step(label, func, *args):
        t = time.monotonic()
        with transaction.atomic():
            result = func(*args)
        stdout.write(f"    {label}: {len(result):,} ({time.monotonic() - t:.1f}s)")
        return result

    departments = step("departments", city_departments)
    step("posts", city_posts, departments)
    articles = step("legal articles", legal_documents, rng, _scaled(TARGETS["documents"], factor))
    powers = step("powers", city_powers, rng, departments, articles, _scaled(TARGETS["powers"], factor))
    step("flowcharts", flowcharts, rng, powers, _scaled(TARGETS["flowcharts"], factor))
    step("discretion standards", standards, rng, powers, _scaled(TARGETS["standards"], factor))
    counts = {
        "departments": Department.objects.count(),
        "legal_documents": LegalDocument.objects.count(),
        "legal_articles": LegalArticle.objects.count(),
        "powers": Power.objects.count(),
        "flowcharts": Flowchart.objects.count(),
        "flow_steps": FlowStep.objects.count(),
        "discretion_standards": DiscretionStandard.objects.count(),
        "discretion_bands": DiscretionBand.objects.count(),
        "seconds": round(time.monotonic() - started, 1),
    }
    with transaction.atomic():
        actor = get_user_model().objects.filter(username="admin").first()
        audit.record(actor, SEED_VERB, None, after=counts, note="城市规模演示数据（批量导入）")
    stdout.write("    city scale: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts


# --- organisation ----------------------------------------------------------------------------------


def _ensure(rows) -> list[Department]:
    """Create the departments of ``rows`` (code, name, short, level, kind, series, parent) that are missing."""
    existing = set(Department.objects.filter(code__in=[r[0] for r in rows]).values_list("code", flat=True))
    Department.objects.bulk_create(
        Department(code=c, name=n, short_name=s, level=lv, kind=k, series=se, parent=p)
        for c, n, s, lv, k, se, p in rows
        if c not in existing
    )
    return list(Department.objects.filter(code__in=[r[0] for r in rows]))


def city_departments() -> list[Department]:
    gov, _ = Department.objects.get_or_create(
        code="ZF", defaults={"name": "示范市人民政府", "kind": DepartmentKind.GOVERNMENT}
    )
    gov_series, dist_series = AppraisalSeries.GOV_DEPARTMENT, AppraisalSeries.DISTRICT_PARTY_GOV
    _ensure(
        [
            (c, f"示范市{n}", n, Level.CITY, DepartmentKind.DEPARTMENT, gov_series, gov)
            for c, n in CITY_BUREAUS
        ]
    )
    districts = _ensure(
        [(code or f"{d}Q", f"{name}区人民政府", f"{name}区政府", Level.DISTRICT, DepartmentKind.GOVERNMENT, dist_series, gov)
         for d, name, code in DISTRICTS]
    )  # fmt: skip
    by_code = {dept.code: dept for dept in districts}
    bureau_rows, town_rows = [], []
    for d, name, code in DISTRICTS:
        district = by_code[code or f"{d}Q"]
        for b, bureau in DISTRICT_BUREAUS:
            if (d, b) not in EXISTING_DISTRICT_BUREAUS:
                bureau_rows.append((f"{d}{b}", f"{name}区{bureau}", f"{name}区{bureau[:4]}", Level.DISTRICT,
                                    DepartmentKind.DEPARTMENT, dist_series, district))  # fmt: skip
        for i, town in enumerate(TOWNS[d], start=1):
            full = f"{name}区{town[:-1]}人民政府" if town.endswith("镇") else f"{name}区{town}街道办事处"
            town_rows.append(
                (f"T{d}{i:02d}", full, town, Level.TOWN, DepartmentKind.GOVERNMENT, dist_series, district)
            )
    _ensure(bureau_rows)
    towns = _ensure(town_rows)
    village_rows = []
    for t, town in enumerate(sorted(towns, key=lambda x: x.code)):
        is_town = town.short_name.endswith("镇")
        for k in range(4):
            stem = VILLAGE_STEMS[(t * 4 + k) % len(VILLAGE_STEMS)]
            full = f"{town.short_name}{stem}{'村民委员会' if is_town else '社区居民委员会'}"
            village_rows.append((f"V{town.code[1:]}{k + 1}", full, f"{stem}{'村' if is_town else '社区'}",
                                 Level.VILLAGE, DepartmentKind.COMMUNITY, dist_series, town))  # fmt: skip
    _ensure(village_rows)
    # Powers are held by governments, their departments and (村权清单) the villages; not by the supervisory
    # organ, the legal-affairs office, the service centre or public enterprises.
    return list(
        Department.objects.exclude(
            kind__in=[DepartmentKind.SUPERVISORY, DepartmentKind.LEGAL_AFFAIRS, DepartmentKind.SERVICE_CENTRE]
        ).exclude(series=AppraisalSeries.PUBLIC_ENTERPRISE)
    )


def city_posts(departments) -> list[Post]:
    """The standard posts (with their B posts) of every department that has none yet."""
    from portal.demo import STANDARD_POSTS

    have = set(Post.objects.values_list("department_id", flat=True).distinct())
    missing = [d for d in departments if d.pk not in have]
    backups = Post.objects.bulk_create(
        Post(department=d, code=f"{code}-B", name=f"{name}(B岗)")
        for d in missing
        for code, name in STANDARD_POSTS
    )
    backup_of = {(p.department_id, p.code[:-2]): p for p in backups}
    return backups + Post.objects.bulk_create(
        Post(
            department=d, code=code, name=name, backup=backup_of[(d.pk, code)], duties=f"负责{name[:-1]}工作"
        )
        for d in missing
        for code, name in STANDARD_POSTS
    )


# --- legal basis ---------------------------------------------------------------------------------------


ARTICLE_TEXTS = [
    (
        1,
        "第一条",
        "为了加强{d}管理，规范行政行为，保护公民、法人和其他组织的合法权益，根据有关法律、法规，制定本{k}。",
    ),
    (None, None, "从事{d}相关活动的单位和个人，应当依法取得许可或者办理登记，并接受主管部门的监督检查。"),
    (
        None,
        None,
        "违反本{k}规定的，由{d}主管部门责令限期改正，没收违法所得；逾期不改正的，处{a}元以上{b}元以下罚款。",
    ),
]
CN_NUMBERS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else CN_NUMBERS[tens]) + "十" if tens else "") + (
        CN_NUMBERS[ones] if ones else ""
    )


def _document_word(title: str) -> str:
    """How a document calls itself: 本法, 本条例, 本办法, 本规定…"""
    for word in ("条例", "办法", "规定", "细则", "意见", "基准", "预案", "规范"):
        if word in title:
            return word
    return "法" if title.endswith("法") else "规定"


def legal_documents(rng, count) -> list[int]:
    titles = [(kind, form.format(d=d), d) for kind, form in TITLE_FORMS for d in DOMAINS]
    rng.shuffle(titles)
    docs = LegalDocument.objects.bulk_create(
        LegalDocument(
            code=f"LD-{i:05d}", title=title, kind=kind, issuer=ISSUERS[kind],
            issued_on=date(1990, 1, 1) + timedelta(days=rng.randrange(12000)),
            effective_on=date(1990, 3, 1) + timedelta(days=rng.randrange(12000)),
        )
        for i, (kind, title, _) in enumerate(titles[:count], start=1)
    )  # fmt: skip
    rows = []
    for doc, (_kind, _, domain) in zip(docs, titles, strict=False):
        numbers = [1, rng.randrange(5, 30), rng.randrange(30, 80)]
        for (fixed, _, text), number in zip(ARTICLE_TEXTS, numbers, strict=True):
            amount = rng.choice([1000, 2000, 5000, 10000])
            rows.append(LegalArticle(
                document=doc, number=fixed or number, label=f"第{chinese_number(fixed or number)}条",
                text=text.format(d=domain, k=_document_word(doc.title),
                                 a=amount, b=amount * rng.choice([5, 10, 20])),
            ))  # fmt: skip
    return [a.pk for a in LegalArticle.objects.bulk_create(rows, batch_size=2000)]


# --- powers ---------------------------------------------------------------------------------------------


def _name(rng, category, level) -> str:
    form = rng.choice(NAME_FORMS[category])
    key = next((k for k in "fbcrax" if "{" + k + "}" in form), "o")
    value = rng.choice(FILLERS[key] if key != "o" else OBJECTS)
    name = form.format(**{key: value})
    return (
        f"{name}（{'镇街' if level == Level.TOWN else '村居'}）"
        if level in (Level.TOWN, Level.VILLAGE) and key == "o"
        else name
    )


def _quotas(departments, total) -> dict[int, int]:
    weights = {d.pk: WEIGHT[d.level] for d in departments}
    scale = total / sum(weights.values())
    quotas = {pk: int(w * scale) for pk, w in weights.items()}
    for pk in list(quotas)[: total - sum(quotas.values())]:
        quotas[pk] += 1
    return quotas


def city_powers(rng, departments, article_ids, total) -> list[Power]:
    """Current power rows (≈3% still in review) plus a superseded first version for ≈2% of them."""
    taken = set(Power.objects.values_list("code", flat=True))
    now = timezone.now()
    statuses, status_weights = zip(*STATUS_MIX, strict=True)
    rows = []
    quotas = _quotas(departments, total)
    for department in departments:
        mix = CATEGORY_MIX[department.level]
        categories, weights = list(mix), list(mix.values())
        names, seq = set(), {}
        for _ in range(quotas[department.pk]):
            category = rng.choices(categories, weights)[0]
            name = _name(rng, category, department.level)
            for _ in range(5):
                if name not in names:
                    break
                name = _name(rng, category, department.level)
            names.add(name)
            prefix = f"{CATEGORY_CODE[category]}-{department.code}-"
            n = seq.get(prefix, 0) + 1
            while f"{prefix}{n:04d}" in taken:
                n += 1
            seq[prefix] = n
            status = rng.choices(statuses, status_weights)[0]
            limit = (
                rng.choice([5, 7, 10, 15, 20, 30])
                if category in ("licensing", "confirmation", "benefit")
                else None
            )
            rows.append(Power(
                code=f"{prefix}{n:04d}", name=name, category=category, department=department, status=status,
                subject="公民、法人和其他组织", time_limit_days=limit,
                promised_days=max(1, limit // 2) if limit else None, complaint_channel=COMPLAINT,
                result_form="准予许可决定书" if category == "licensing" else "",
                published_at=now - timedelta(days=rng.randrange(30, 1800)) if status == PowerStatus.PUBLISHED else None,
                description=f"{department.name}依法实施的{Category(category).label}事项。",
            ))  # fmt: skip
    # A superseded first version for some published powers: the history the public page shows.
    revised = [p for p in rows if p.status == PowerStatus.PUBLISHED and rng.random() < 0.02]
    old = Power.objects.bulk_create(
        [Power(code=p.code, version=1, name=p.name, category=p.category, department=p.department,
               status=PowerStatus.SUPERSEDED, is_current=False, subject=p.subject,
               time_limit_days=p.time_limit_days and p.time_limit_days + 10, complaint_channel=COMPLAINT,
               published_at=p.published_at - timedelta(days=700), ended_at=p.published_at) for p in revised],
        batch_size=1000,
    )  # fmt: skip
    old_by_code = {p.code: p for p in old}
    for power in revised:
        power.version, power.change_kind, power.predecessor = 2, ChangeKind.REVISION, old_by_code[power.code]
        power.change_reason = "依据上位法修改，调整办理时限和申请材料。"
    created = Power.objects.bulk_create(rows, batch_size=1000)
    for power in revised:
        old_by_code[power.code].successor_id = power.pk
    Power.objects.bulk_update(old, ["successor"], batch_size=1000)
    through = Power.legal_articles.through
    through.objects.bulk_create(
        [through(power_id=p.pk, legalarticle_id=a) for p in [*created, *old]
         for a in set(rng.sample(article_ids, k=min(len(article_ids), rng.choice([1, 2]))))],
        batch_size=5000,
    )  # fmt: skip
    search.bulk_index(Power, [(p.pk, p.name) for p in [*created, *old]])
    return created


# --- flowcharts and discretion standards ----------------------------------------------------------------------


def flowcharts(rng, powers, count) -> list[FlowStep]:
    """Charts for the licensing powers first (citizens apply for them), then others; 4–7 annotated steps each."""
    ordered = sorted(powers, key=lambda p: (p.category != Category.LICENSING, rng.random()))[:count]
    charts = Flowchart.objects.bulk_create(
        [Flowchart(power=p, note="一项权力一个流程") for p in ordered], batch_size=2000
    )
    posts = {(p.department_id, p.code): p.pk for p in Post.objects.filter(backup__isnull=False)}
    extra = (
        "集体讨论",
        StepKind.OTHER,
        "SP",
        "重大、复杂事项提交集体讨论，形成会议纪要",
        "如实记录不同意见",
        "纪检监察人员列席",
        1,
    )
    steps = []
    for chart, power in zip(charts, ordered, strict=True):
        template = list(FLOW_TEMPLATES[power.category])
        if len(template) < 7 and rng.random() < 0.3:
            template.insert(len(template) - 1, extra)
        if len(template) > 4 and rng.random() < 0.2:
            template.pop(1)  # re-engineered: a non-statutory step removed
        for order, (name, kind, post, rules, duties, supervision, days) in enumerate(template, start=1):
            steps.append(FlowStep(
                flowchart=chart, order=order, name=name, kind=kind, post_id=posts.get((power.department_id, post)), rules=rules,
                duties=duties, supervision_point=supervision, complaint_channel=COMPLAINT, time_limit_days=days,
            ))  # fmt: skip
    return FlowStep.objects.bulk_create(steps, batch_size=2000)


def _random_bands(rng) -> list[tuple]:
    n = rng.choice([3, 4])
    step = rng.choice([1, 2, 5, 10, 1000, 5000])
    cuts = [0, *sorted(rng.sample(range(1, 20), n - 1))]
    base = rng.choice([50, 200, 1000, 5000, 10000])
    amounts = [base * m for m in (1, 2, 5, 10, 20)][: n + 1]
    return [
        (SEVERITIES[i] if n == 4 else ["一般", "较重", "严重"][i], Decimal(cuts[i] * step),
         Decimal(cuts[i + 1] * step) if i + 1 < n else None, Decimal(amounts[i]), Decimal(amounts[i + 1]))
        for i in range(n)
    ]  # fmt: skip


def standards(rng, powers, count) -> list[DiscretionBand]:
    penalties = [p for p in powers if p.category == Category.PENALTY]
    basis = {}
    through = Power.legal_articles.through
    for power_id, article_id in through.objects.filter(power__in=penalties).values_list(
        "power_id", "legalarticle_id"
    ):
        basis.setdefault(power_id, article_id)
    rows = []
    for i in range(count):
        power = penalties[i % len(penalties)]
        label, unit = rng.choice(FACTS)
        behaviour = power.name.removeprefix("对").removesuffix("的处罚")
        rows.append(DiscretionStandard(
            power=power, article_id=basis.get(power.pk), title=f"{behaviour}（按{label}分阶）",
            fact_label=label, fact_unit=unit,
        ))  # fmt: skip
    created = DiscretionStandard.objects.bulk_create(rows, batch_size=2000)
    bands = []
    for standard in created:
        for order, (severity, low, high, a_min, a_max) in enumerate(_random_bands(rng), start=1):
            text = f"{standard.fact_label}{low}{standard.fact_unit}以上" + (
                f"不足{high}{standard.fact_unit}" if high else ""
            )
            bands.append(DiscretionBand(
                standard=standard, order=order, severity=severity, fact_min=low, fact_max=high,
                amount_min=a_min, amount_max=a_max, description=text,
            ))  # fmt: skip
    return DiscretionBand.objects.bulk_create(bands, batch_size=2000)
