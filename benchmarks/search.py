#!/usr/bin/env python
"""Accuracy and latency of the search over a catalogue of 2,000+ items.

1. Loads the reference catalogue with `yiwang import-catalog` into a fresh SQLite data folder
   (a temporary YIWANG_DATA_DIR; or the PostgreSQL database of --database-url, which must be empty).
2. Measures the evaluation set (search/data/eval.json) on the reference catalogue alone.
3. Adds --extra plausible synthetic items (names from templates over real departments, with
   results and materials) so the catalogue has 2,000+ items, rebuilds the index and measures again:
   top-1 / top-5 accuracy, p50 / p99 latency of `yiwang.search.selectors.search` (the one
   fingerprint query included, as in a request) and of the in-memory index alone, index build time,
   and how many results the search page (at most 20) shows once the irrelevant tail is cut.
4. Lists the queries not answered at rank 1 (rank of the first accepted code, or "-").

    python benchmarks/search.py [--extra 1900] [--rounds 5] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "src" / "yiwang" / "catalog" / "data" / "catalog-fengxian.json"

# (Chinese subject, English subject, item type) of synthetic items: trades, facilities and
# benefits a district also handles, several close to real items so they compete in the ranking.
SUBJECTS = [
    ("酒类商品零售", "liquor retail", "01"), ("烟花爆竹经营", "fireworks trading", "01"), ("成品油零售", "fuel retail", "01"),
    ("二手车交易市场", "used car market", "01"), ("洗车场", "car wash", "20"), ("停车场", "car park", "20"),
    ("菜市场", "food market", "01"), ("农贸市场", "farmers' market", "01"), ("粮食收购", "grain purchasing", "01"),
    ("生猪屠宰", "pig slaughtering", "01"), ("水产养殖", "aquaculture", "01"), ("种子生产经营", "seed production and trade", "01"),
    ("肥料登记", "fertiliser registration", "20"), ("饲料生产", "feed production", "01"), ("宠物诊疗", "pet clinic", "01"),
    ("动物诊疗", "animal clinic", "01"), ("食品生产", "food production", "01"), ("食品小作坊", "small food workshop", "01"),
    ("食品摊贩", "food stall", "20"), ("网络餐饮服务", "online catering", "20"), ("集体用餐配送", "collective meal delivery", "01"),
    ("学校食堂", "school canteen", "01"), ("医疗广告", "medical advertising", "01"), ("医疗器械网络销售", "online medical device sales", "20"),
    ("化妆品经营", "cosmetics trading", "20"), ("保健食品经营", "health food trading", "20"), ("母婴护理机构", "maternal and infant care centre", "20"),
    ("托育机构", "childcare centre", "20"), ("校外培训机构", "after-school training institution", "01"), ("职业技能培训机构", "vocational training institution", "01"),
    ("民办非学历教育机构", "private non-degree education institution", "01"), ("社区卫生服务站", "community health station", "01"),
    ("健康体检机构", "health check-up institution", "01"), ("医学检验实验室", "medical laboratory", "01"), ("血液透析中心", "dialysis centre", "01"),
    ("互联网医院", "internet hospital", "01"), ("养老服务机构", "elderly care service provider", "20"), ("社区食堂", "community canteen", "20"),
    ("长者照护之家", "elderly care home", "20"), ("殡葬服务机构", "funeral service provider", "01"), ("公墓", "cemetery", "01"),
    ("宗教活动场所", "religious venue", "01"), ("社会组织", "social organisation", "07"), ("基金会", "foundation", "07"),
    ("慈善组织", "charity", "07"), ("志愿服务组织", "volunteer organisation", "20"), ("物业服务企业", "property management company", "20"),
    ("房地产经纪机构", "real estate agency", "20"), ("房地产开发企业资质", "real estate developer qualification", "01"),
    ("住宅专项维修资金", "housing maintenance fund", "21"), ("房屋安全鉴定", "building safety appraisal", "21"),
    ("既有住宅加装电梯", "lift installation in existing homes", "01"), ("建筑业企业资质", "construction enterprise qualification", "01"),
    ("建设工程质量检测机构", "construction quality testing institution", "01"), ("预拌混凝土企业", "ready-mixed concrete enterprise", "01"),
    ("城市道路临时占用", "temporary occupation of city roads", "01"), ("道路开口", "road access opening", "01"),
    ("桥梁限载通行", "bridge load-limited passage", "01"), ("渣土运输车辆", "muck transport vehicle", "01"),
    ("出租汽车经营", "taxi business", "01"), ("网络预约出租汽车", "ride-hailing car", "01"), ("巡游出租车驾驶员", "taxi driver", "07"),
    ("客运班线", "scheduled bus line", "01"), ("危险货物道路运输", "dangerous goods road transport", "01"),
    ("船舶登记", "ship registration", "07"), ("内河码头", "inland wharf", "01"), ("港口经营", "port operation", "01"),
    ("水库管理", "reservoir management", "21"), ("河道采砂", "river sand mining", "01"), ("地下水取用", "groundwater abstraction", "01"),
    ("排水设施接管", "drainage connection", "01"), ("节约用水", "water saving", "21"), ("城市绿化工程", "urban greening works", "01"),
    ("古树名木保护", "protection of ancient trees", "21"), ("生活垃圾分类", "household waste sorting", "21"),
    ("餐厨废弃物收运", "kitchen waste collection", "01"), ("环境噪声", "environmental noise", "21"), ("辐射安全", "radiation safety", "01"),
    ("危险废物经营", "hazardous waste business", "01"), ("机动车排放检验机构", "vehicle emission testing institution", "01"),
    ("安全生产", "work safety", "21"), ("非煤矿山", "non-coal mine", "01"), ("烟草专卖零售", "tobacco retail", "01"),
    ("彩票销售", "lottery sales", "20"), ("拍卖企业", "auction company", "20"), ("典当行", "pawnshop", "01"),
    ("融资担保公司", "financing guarantee company", "01"), ("小额贷款公司", "microcredit company", "01"),
    ("外商投资企业", "foreign-invested enterprise", "20"), ("对外贸易经营者", "foreign trade operator", "20"),
    ("加工贸易", "processing trade", "20"), ("商业特许经营", "commercial franchise", "20"), ("直销企业", "direct selling company", "01"),
    ("商品条码", "product barcode", "20"), ("计量器具", "measuring instruments", "07"), ("产品质量检验", "product quality inspection", "21"),
    ("商标质押", "trademark pledge", "20"), ("专利", "patent", "21"), ("知识产权", "intellectual property", "21"),
    ("文物保护单位", "protected cultural heritage site", "01"), ("博物馆", "museum", "20"), ("营业性射击场", "commercial shooting range", "01"),
    ("体育赛事", "sports event", "20"), ("游泳场所", "swimming venue", "01"), ("攀岩场所", "climbing venue", "01"),
    ("广播电视节目制作", "radio and television production", "01"), ("卫星电视接收设施", "satellite TV receivers", "01"),
    ("网络游戏", "online game", "20"), ("剧本娱乐场所", "script entertainment venue", "20"), ("印刷企业", "printing company", "01"),
    ("音像制品零售", "audio-visual retail", "01"), ("电影放映单位", "cinema", "01"), ("旅游民宿", "tourist homestay", "20"),
    ("导游证", "tour guide licence", "07"), ("退役军人就业", "veteran employment", "05"), ("高校毕业生就业", "graduate employment", "05"),
    ("见习基地", "internship base", "05"), ("技能人才", "skilled worker", "08"), ("人才引进", "talent introduction", "21"),
    ("留学人员落户", "returned overseas student residence", "21"), ("职称评审", "professional title review", "07"),
    ("劳动合同", "labour contract", "21"), ("工资支付", "wage payment", "21"), ("农民工", "migrant worker", "21"),
    ("残疾人就业", "employment of disabled persons", "05"), ("困难职工", "workers in difficulty", "05"), ("孤儿", "orphan", "05"),
    ("事实无人抚养儿童", "children without de facto carers", "05"), ("高龄老人", "older people over 80", "05"),
    ("计划生育", "family planning", "21"), ("优抚对象", "entitled groups", "05"), ("见义勇为", "good samaritan", "08"),
    ("自然灾害", "natural disaster", "05"), ("农业保险", "agricultural insurance", "05"), ("耕地地力保护", "farmland fertility protection", "05"),
    ("农机购置", "farm machinery purchase", "05"), ("农村住房", "rural housing", "21"), ("集体土地", "collective land", "07"),
]
ACTIONS = [
    ("许可（新办）", "licence (new application)", "01"), ("许可（变更）", "licence (amendment)", "01"),
    ("许可（延续）", "licence (renewal)", "01"), ("许可（注销）", "licence (cancellation)", "01"),
    ("备案", "filing", "20"), ("备案变更", "filing amendment", "20"), ("登记", "registration", "07"),
    ("变更登记", "change registration", "07"), ("注销登记", "deregistration", "07"), ("审批", "approval", "01"),
    ("核准", "authorisation", "01"), ("证明开具", "certificate issuance", "21"), ("信息查询", "information enquiry", "21"),
    ("补贴申领", "subsidy claim", "05"), ("资格认定", "qualification recognition", "07"), ("年度报告", "annual report", "20"),
    ("证书补发", "certificate reissue", "20"), ("证书换发", "certificate replacement", "20"),
]
MATERIALS = ["申请书", "营业执照", "法定代表人身份证明", "场所使用证明", "承诺书", "相关资质证明"]


def prepare_reference(env: dict) -> None:
    """Migrate and import the reference catalogue through the CLI, as an operator would."""
    subprocess.run(
        [sys.executable, "-m", "yiwang", "import-catalog", str(CATALOG)], env=env, check=True, stdout=subprocess.DEVNULL
    )


def add_synthetic_items(count: int, seed: int = 20261126) -> int:
    """Bulk-create `count` plausible items (codes 310120-<dept>-<type>-5xxx); return the item total."""
    from django.db import transaction

    from yiwang.catalog.flows import default_flow
    from yiwang.catalog.models import Department, Material, ServiceItem

    rng = random.Random(seed)
    departments = list(Department.objects.order_by("code"))
    combos = list(itertools.product(SUBJECTS, ACTIONS))
    rng.shuffle(combos)
    if count > len(combos):
        raise SystemExit(f"at most {len(combos)} synthetic items can be generated")
    serial = itertools.count(5001)
    items = []
    for (subject, subject_en, _subject_type), (action, action_en, item_type) in combos[:count]:
        department = rng.choice(departments)
        number = next(serial)
        result = f"{subject}{'许可证' if item_type == '01' else '结果'}"
        items.append(
            ServiceItem(
                code=f"310120-{department.code}-{item_type}-{number}",
                name=f"{subject}{action}",
                name_en=f"{subject_en.capitalize()} {action_en}",
                department=department,
                item_type=item_type,
                case_type="promise",
                statutory_limit_value=20,
                promised_limit_value=rng.choice([1, 3, 5, 10]),
                channels=["online", "window"],
                service_objects=["enterprise"] if item_type == "01" else ["natural_person"],
                result_name=result,
                flow=default_flow(1),
            )
        )
    with transaction.atomic():
        ServiceItem.objects.bulk_create(items, batch_size=500)
        created = ServiceItem.objects.filter(code__in=[i.code for i in items])
        Material.objects.bulk_create(
            [
                Material(item=item, position=position, name=name, kind="other", source="10", necessity="1")
                for item in created
                for position, name in enumerate(rng.sample(MATERIALS, 3), start=1)
            ],
            batch_size=1000,
        )
    return ServiceItem.objects.filter(is_active=True).count()


def measure(label: str, rounds: int) -> None:
    from yiwang.search import selectors
    from yiwang.search.constants import PAGE_LIMIT
    from yiwang.search.evaluation import evaluate, load_eval_set, percentile

    queries = load_eval_set()
    started = time.perf_counter()
    index = selectors.current_index()  # rebuilt here: the catalogue changed
    build_s = time.perf_counter() - started
    report = evaluate(lambda q: [hit.code for hit in selectors.search(q, limit=10)], queries)
    request_ms, engine_ms = list(report.latencies_ms), []
    for _ in range(rounds - 1):
        for entry in queries:
            t0 = time.perf_counter()
            selectors.search(entry.query, limit=10)
            request_ms.append((time.perf_counter() - t0) * 1000)
    for _ in range(rounds):
        for entry in queries:
            t0 = time.perf_counter()
            index.search(entry.query, 10)
            engine_ms.append((time.perf_counter() - t0) * 1000)
    # The tail cut: how many results the search page (20 at most) shows for each query.
    shown = sorted(len(selectors.search(entry.query, limit=PAGE_LIMIT)) for entry in queries)
    items = sum(1 for doc in index.documents if doc.kind == "item")
    bundles = len(index.documents) - items
    print(f"\n== {label}: {items} items + {bundles} bundles, {len(queries)} queries ==")
    print(f"index build            {build_s * 1000:8.0f} ms")
    print(f"top-1 accuracy         {report.top1:4d}/{report.total}  {report.top1_rate:6.1%}")
    print(f"top-5 accuracy         {report.top5:4d}/{report.total}  {report.top5_rate:6.1%}")
    for kind, (total, top1, top5) in sorted(report.by_kind.items()):
        print(f"   {kind:<12} n={total:<3d} top-1 {top1 / total:6.1%}  top-5 {top5 / total:6.1%}")
    print(
        f"results on the page    mean {sum(shown) / len(shown):4.1f}   median {shown[len(shown) // 2]}"
        f"   a full page ({PAGE_LIMIT}) for {sum(1 for n in shown if n == PAGE_LIMIT)}/{len(shown)} queries"
    )
    print(
        f"search() latency       p50 {percentile(request_ms, 0.5):6.2f} ms   p99 {percentile(request_ms, 0.99):6.2f} ms"
        f"   max {max(request_ms):6.2f} ms   (n={len(request_ms)}, incl. the fingerprint query)"
    )
    print(
        f"index alone            p50 {percentile(engine_ms, 0.5):6.2f} ms   p99 {percentile(engine_ms, 0.99):6.2f} ms"
        f"   max {max(engine_ms):6.2f} ms   (n={len(engine_ms)})"
    )
    names = {doc.code: doc.name for doc in index.documents}
    print("not first (rank of the first accepted code; - = not in the top 10):")
    for miss in report.misses:
        rank = "-" if miss.rank is None else str(miss.rank)
        got = ", ".join(names.get(code, code) for code in miss.got[:3])
        print(f"   [{rank:>2}] {miss.query}  ->  want {names.get(miss.accept[0], miss.accept[0])}; got {got}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=int, default=1900, help="synthetic items to add (default 1900)")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the eval set for latency (default 5)")
    parser.add_argument("--database-url", help="an empty PostgreSQL database instead of a temporary SQLite one")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="yiwang-search-bench-") as data_dir:
        env = dict(os.environ, YIWANG_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="yiwang.config.settings")
        env.pop("YIWANG_DATABASE_URL", None)
        if args.database_url:
            env["YIWANG_DATABASE_URL"] = args.database_url
        started = time.perf_counter()
        prepare_reference(env)
        print(f"reference catalogue imported in {time.perf_counter() - started:.1f} s ({'PostgreSQL' if args.database_url else 'SQLite'})")
        os.environ.update({k: v for k, v in env.items() if k.startswith(("YIWANG_", "DJANGO_"))})
        if not args.database_url:
            os.environ.pop("YIWANG_DATABASE_URL", None)
        import django

        django.setup()
        t0 = time.perf_counter()
        from yiwang.search.engine import Segmenter

        Segmenter()
        print(f"jieba dictionary loaded in {(time.perf_counter() - t0) * 1000:.0f} ms (once per process)")
        measure("reference catalogue", args.rounds)
        total = add_synthetic_items(args.extra)
        print(f"\nadded {args.extra} synthetic items: {total} active items")
        measure("reference + synthetic catalogue", args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
