"""Generate realistic customer-service messages and chat logs (seeded).

    python samples/generate.py messages 100000 > messages.jsonl
    python samples/generate.py log 1000000 --shops 20 --days 30 > big_log.jsonl

The samples next to this script were made with:

    python samples/generate.py log 320 --seed 13 --shops 4 --agents 3 --days 5 \
        --violation-rate 0.12 > samples/chat_log.jsonl
    python samples/generate.py log 300 --seed 9 --shops 3 --agents 2 --days 3 \
        --violation-rate 0.12 --csv > samples/chat_log.csv

Messages are after-sales talk with the numbers real chats hold (order and
tracking numbers, prices, dates, sizes); a share of them (5% by default)
break the rules in the ways agents do, evasions included. Deterministic for a
seed, so benchmarks compare like with like.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta

import orjson

PRODUCTS = ["连衣裙", "保温杯", "数据线", "儿童雨靴", "蓝牙耳机", "四件套", "收纳盒", "手机壳",
            "洗衣凝珠", "羽绒服", "拖鞋", "零食大礼包", "电热水壶", "瑜伽垫", "床垫", "猫粮",
            "卫衣", "台灯"]
COURIERS = [("中通", "75{}"), ("圆通", "YT{}"), ("韵达", "43{}"), ("申通", "77{}"),
            ("顺丰", "SF{}"), ("极兔", "JT{}"), ("邮政", "98{}"), ("京东快递", "JD{}")]
SIZES = ["S", "M", "L", "XL", "2XL", "36", "37", "38", "39", "40", "41", "42"]

CLEAN = [
    "亲，您的{product}已经发货了，{courier}单号 {tracking}，请注意查收哦",
    "您好，订单 {order} 我们这边查到了，预计{date}送达",
    "亲，{product}是现货的，今天下午五点前拍下当天发",
    "好的亲，已经给您备注了，发{courier}",
    "亲 这款{product}偏小一码，建议您拍{size}",
    "您好，退款申请已经同意了，退款会原路退回，请留意",
    "亲，微信付款的订单退款1-3分钟到账，其他方式以银行处理时间为准",
    "退回储蓄卡的话审核通过后2-6天到账，信用卡3-7天哦",
    "亲 拼单还没成功，满24小时没成团系统会自动退款",
    "不好意思让您久等了，这边马上帮您催一下快递",
    "亲，{product}质量问题的话您拍照发一下，我们给您处理",
    "收到货有任何问题随时联系我们客服哦",
    "亲，价格是 {price} 元，已经是活动价了",
    "您好在吗？您的售后申请我们这边看到了",
    "亲，退货地址在售后详情里，寄回时请备注订单号",
    "质量问题来回运费由我们承担，您先垫付一下",
    "亲 7天无理由退换的，不影响二次销售就可以",
    "平台介入后我们会在48小时内提交凭证，请您放心",
    "好的，给您补发一个，{courier}今天就发出",
    "亲 这个型号是 QX-30，和 V8 Pro 不通用哦",
    "您好，{date} 13:00-15:00 之间派送，请保持电话畅通",
    "亲，您可以在拼多多App里申请售后，选择仅退款",
    "感谢支持，收到满意的话麻烦给个好评哦",
    "亲 尺码表在商品详情页，{size}对应胸围{price}左右",
    "这款支持7天无理由，您放心购买",
    "亲 物流显示已签收，您看下是不是放驿站了",
    "已经帮您申请了小额打款补偿，请注意查收",
    "联系拼多多官方客服也可以帮您处理的",
    "好的亲，有问题再联系",
    "亲，条码 6901234567892 是这款的，核对一下",
]
VIOLATIONS = [
    "亲 加我微信 {wx} 聊，发您实拍图",
    "有问题直接加V：{wx}",
    "亲，加我薇信吧，这边说话不方便",
    "绿泡泡 {wx} 拉您进福利群",
    "加 ｖ ｘ 给您返现",
    "我手机 {phone}，有事打给我",
    "电话 一三八 {phone_tail}",
    "淘宝搜店名也有，那边便宜",
    "去某宝拍吧，这边缺货",
    "京东旗舰店有现货，去那边下单",
    "好评返现5元，截图发我",
    "直接转账给我就行，不走平台",
    "发个红包给我，给您改价",
    "扫码加我，复制这条口令打开手淘 ￥AbCd1234EF￥",
    "详情看 http://t.cn/A6{wx}",
    "亲 企鹅号 {qq} 加我发您视频",
    "抖音搜我们店，直播间下单更便宜",
    "闲鱼上挂了，去那边拍",
    "卡号 {card}，直接打款",
    "加 𝐯𝐱：{wx} 私聊",
]


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _luhn_card(rng: random.Random) -> str:
    body = "6222" + _digits(rng, 11)
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char)
        if position % 2 == 0:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return body + str((10 - total % 10) % 10)


def _fill(template: str, rng: random.Random) -> str:
    courier, pattern = rng.choice(COURIERS)
    when = datetime(2026, 11, 1) + timedelta(days=rng.randrange(60))
    return template.format(
        product=rng.choice(PRODUCTS),
        courier=courier,
        tracking=pattern.format(_digits(rng, 12)),
        order=f"{when:%y%m%d}-{_digits(rng, 15)}",
        date=f"{when:%m月%d日}",
        size=rng.choice(SIZES),
        price=f"{rng.randrange(9, 499)}.{rng.choice(['00', '90', '99'])}",
        wx="".join(rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(4)) + _digits(rng, 4),
        phone="1" + rng.choice("3456789") + _digits(rng, 9),
        phone_tail=_digits(rng, 8),
        qq=str(rng.randrange(10_000_000, 3_999_999_999)),
        card=_luhn_card(rng),
    )


def messages(count: int, seed: int = 7,
             violation_rate: float = 0.05) -> Iterator[tuple[str, bool]]:
    """(text, is_violation) pairs."""
    rng = random.Random(seed)
    for _ in range(count):
        violation = rng.random() < violation_rate
        template = rng.choice(VIOLATIONS if violation else CLEAN)
        yield _fill(template, rng), violation


# The chat log (`chat_log`): whole conversations, as a shop's export holds them.
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛",
         "明", "超", "秀英", "霞", "平", "刚", "桂英", "小红", "建华", "玉兰", "文博", "子涵"]
ADDRESSES = [
    "上海市浦东新区张江镇科苑路{n}号{b}号楼{r}室",
    "北京市朝阳区建国路{n}号院{b}号楼{u}单元{r}",
    "广东省深圳市南山区粤海街道科技园南区{b}栋{r}",
    "浙江省杭州市西湖区文三路{n}号华星小区{b}幢{r}室",
    "四川省成都市武侯区人民南路四段{n}号{b}栋{u}单元{r}",
    "江苏省南京市鼓楼区中山北路{n}号{b}幢{r}室",
    "湖北省武汉市洪山区珞喻路{n}号{b}栋{r}",
]
BUYER_OPENERS = ["在吗", "亲，在吗", "你好", "有人吗", "客服在不在", "请问一下"]
BUYER_TALK = ["什么时候发货", "我的快递到哪了", "能便宜点吗", "这个有{size}吗", "收到了，质量不错",
              "东西坏了怎么办", "退款多久到账", "拼单没成功钱呢", "运费谁出", "好的谢谢",
              "发错货了", "怎么还没到", "这个和图片不一样", "可以开发票吗", "尺码偏大还是偏小",
              "多久能到", "能不能加你微信，方便点", "有没有优惠券", "退货地址发我一下",
              "我不想要了能退吗"]
BUYER_PRIVATE = [
    "收件人{name}，电话{phone}，地址{address}",
    "地址写错了，改成{address}，{name}收",
    "我叫{name}，手机{phone}，麻烦尽快发",
    "能加微信吗 我{phone}",
    "我住在{address} 电话{phone}",
    "电话打不通就打这个 {phone}",
]
AGENT_OPENERS = ["亲，在的，请问有什么可以帮您", "您好，很高兴为您服务", "亲，您好~", "在的亲"]
AGENT_QUOTING = [  # the agent reads the buyer's data back: evidence must mask it
    "好的，收件人{name}，您的手机号{phone}，地址{address}，对吗",
    "亲，已经帮您把地址改成{address}了",
]
SYSTEM = ["[系统消息] 买家已付款", "[系统消息] 客服已接入会话", "[系统消息] 订单已发货",
          "[系统消息] 买家发起了售后申请", "[系统消息] 会话已超时结束", "[系统消息] 买家已确认收货"]
# Bare mentions: risky, not clearly guiding off the platform (a warning).
MENTIONS = ["京东的价格我们管不了哦", "这款蓝牙耳机可以连接微信听歌", "您说的淘宝那家不是我们",
            "我们没有微信的哦，有问题就在这里说"]
# Evasions split over consecutive agent messages: each part alone passes.
SPLITS = [
    ("用那个绿色软件", "号是{wx}"),
    ("微", "信 {wx}"),
    ("V", "X {wx}"),
    ("淘", "宝搜我们店名，那边便宜"),
    ("去某", "宝拍吧"),
    ("京", "东旗舰店有现货"),
    ("咸", "鱼上挂了，去那边拍"),
    ("扫", "码加我"),
    ("私", "下交易吧，便宜点"),
    ("我的手机号是{phone_head}", "{phone_rest}"),
    ("好评", "返现5元，截图发我"),
    ("有事打我手机 {phone_head}", "{phone_mid}", "{phone_tail}"),
]


def _fields(rng: random.Random) -> dict[str, str]:
    """Everything a chat-log template may ask for (one message's worth of chance)."""
    phone = "1" + rng.choice("3456789") + _digits(rng, 9)
    given = rng.choice(GIVEN)
    address = rng.choice(ADDRESSES).format(n=rng.randrange(1, 999), b=rng.randrange(1, 30),
                                           u=rng.randrange(1, 6), r=rng.randrange(101, 2802))
    return {
        "size": rng.choice(SIZES), "phone": phone, "phone_head": phone[:3],
        "phone_rest": f"{phone[3:7]} {phone[7:]}",
        "phone_mid": phone[3:7], "phone_tail": phone[7:], "name": rng.choice(SURNAMES) + given,
        "address": address,
        "wx": "".join(rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(4)) + _digits(rng, 4),
    }


def chat_log(count: int, seed: int = 11, shops: int = 5, agents_per_shop: int = 3,
             violation_rate: float = 0.05, days: int = 7) -> Iterator[dict]:
    """Chat-log records (SPEC "Chat log format"), conversation by conversation.

    Conversations open with the buyer, hold the agents' answers (a
    `violation_rate` share of them break the rules; a fifth as many evasions
    are split over two or three consecutive agent messages), buyers giving
    their name, phone and address, agents reading them back, and system
    messages; spread over `days` days of opening hours.
    """
    rng = random.Random(seed)
    agent_lines = messages(count, seed, violation_rate)
    start = datetime(2026, 11, 1)
    produced = 0
    conversation = 0
    spacing = days * 15 * 3600 / max(1, count / 5)  # seconds between conversation starts
    while produced < count:
        conversation += 1
        shop = rng.randrange(shops)
        shop_name = f"店铺{shop + 1:02d}"
        agent = f"{shop_name}-客服{rng.randrange(agents_per_shop) + 1}"
        offset = conversation * spacing
        day, second = divmod(int(offset), 15 * 3600)
        moment = start + timedelta(days=day % max(days, 1), hours=8, seconds=second)
        fields = _fields(rng)
        turns: list[tuple[str, str]] = [("buyer", rng.choice(BUYER_OPENERS))]
        if rng.random() < 0.2:
            turns.append(("system", rng.choice(SYSTEM[:2])))
        turns.append(("agent", rng.choice(AGENT_OPENERS)))
        for _ in range(rng.randrange(1, 4)):
            roll = rng.random()
            if roll < 0.12:
                turns.append(("buyer", rng.choice(BUYER_PRIVATE).format(**fields)))
                if rng.random() < 0.3:
                    turns.append(("agent", rng.choice(AGENT_QUOTING).format(**fields)))
            else:
                turns.append(("buyer", rng.choice(BUYER_TALK).format(**fields)))
            roll = rng.random()
            if roll < violation_rate / 5:
                turns.extend(("agent", part.format(**fields)) for part in rng.choice(SPLITS))
            elif roll < violation_rate / 5 + violation_rate / 4:
                turns.append(("agent", rng.choice(MENTIONS)))
            else:
                turns.append(("agent", next(agent_lines)[0]))
        if rng.random() < 0.3:
            turns.append(("system", rng.choice(SYSTEM[2:])))
        for role, text in turns:
            if produced >= count:
                break
            moment += timedelta(seconds=rng.randrange(5, 40) if role == "agent" and turns
                                else rng.randrange(10, 180))
            produced += 1
            yield {"shop": shop_name, "agent": agent, "conversation": f"C{conversation:07d}",
                   "time": moment.isoformat(timespec="seconds") + "+08:00", "role": role,
                   "text": text}


CSV_HEADER_ZH = ("店铺", "客服", "会话", "时间", "角色", "内容")
ROLE_ZH = {"agent": "客服", "buyer": "买家", "system": "系统"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["messages", "log"])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shops", type=int, default=5)
    parser.add_argument("--agents", type=int, default=3, help="agents per shop")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--violation-rate", type=float, default=0.05)
    parser.add_argument("--csv", action="store_true",
                        help="log: CSV with Chinese headers and roles (店铺,客服,会话,…)")
    args = parser.parse_args(argv)
    out = sys.stdout.buffer
    if args.kind == "messages":
        for number, (text, _) in enumerate(messages(args.count, args.seed,
                                                     args.violation_rate), 1):
            out.write(orjson.dumps({"id": number, "text": text}) + b"\n")
        return 0
    records = chat_log(args.count, args.seed, args.shops, args.agents,
                       violation_rate=args.violation_rate, days=args.days)
    if args.csv:
        import csv
        import io

        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(CSV_HEADER_ZH)
        for r in records:
            writer.writerow((r["shop"], r["agent"], r["conversation"], r["time"],
                             ROLE_ZH[r["role"]], r["text"]))
        text.flush()
        text.detach()
    else:
        for record in records:
            out.write(orjson.dumps(record) + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
