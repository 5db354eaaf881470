"""Generate realistic customer-service messages and chat logs (seeded).

    python samples/generate.py messages 100000 > messages.jsonl
    python samples/generate.py log 1000000 --shops 20 > big_log.jsonl

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


BUYER = ["在吗", "什么时候发货", "我的快递到哪了", "能便宜点吗", "这个有{size}吗",
         "收到了，质量不错", "东西坏了怎么办", "退款多久到账", "拼单没成功钱呢", "运费谁出",
         "能加微信吗 我{phone}",
         "我住在北京市朝阳区建国路88号 电话{phone}", "好的谢谢", "发错货了", "怎么还没到"]


def chat_log(count: int, seed: int = 11, shops: int = 5, agents_per_shop: int = 3,
             violation_rate: float = 0.05) -> Iterator[dict]:
    """Chat-log records (SPEC 'Chat log format'): conversations of buyer and agent turns."""
    rng = random.Random(seed)
    agent_lines = messages(count, seed, violation_rate)
    start = datetime(2026, 11, 1, 9, 0)
    produced = 0
    conversation = 0
    while produced < count:
        conversation += 1
        shop = rng.randrange(shops)
        shop_name = f"店铺{shop + 1:02d}"
        agent = f"{shop_name}-客服{rng.randrange(agents_per_shop) + 1}"
        moment = start + timedelta(minutes=conversation * 3 + rng.randrange(3))
        for _ in range(rng.randrange(2, 7)):
            if produced >= count:
                break
            moment += timedelta(seconds=rng.randrange(10, 300))
            if rng.random() < 0.4:
                role, text = "buyer", _fill(rng.choice(BUYER), rng)
            else:
                role, text = "agent", next(agent_lines)[0]
            produced += 1
            yield {"shop": shop_name, "agent": agent, "conversation": f"C{conversation:07d}",
                   "time": moment.isoformat(timespec="seconds") + "+08:00", "role": role,
                   "text": text}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["messages", "log"])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shops", type=int, default=5)
    parser.add_argument("--violation-rate", type=float, default=0.05)
    args = parser.parse_args(argv)
    out = sys.stdout.buffer
    if args.kind == "messages":
        for number, (text, _) in enumerate(messages(args.count, args.seed,
                                                     args.violation_rate), 1):
            out.write(orjson.dumps({"id": number, "text": text}) + b"\n")
    else:
        for record in chat_log(args.count, args.seed, args.shops,
                               violation_rate=args.violation_rate):
            out.write(orjson.dumps(record) + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
