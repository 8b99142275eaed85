"""The three demo courses, written in Chinese with English translations side by side.

Every text is a (zh-Hans, English) pair so the two languages always have the same structure;
the loader builds the Chinese pages and then their wagtail-localize translations from it.
Facts follow the policy background in /work/shared/context (digital literacy, e-commerce skills,
online safety, fraud reporting on 96110).
"""

from dataclasses import dataclass, field
from decimal import Decimal

Text = tuple[str, str]


@dataclass(frozen=True)
class Choice:
    text: Text
    correct: bool = False
    feedback: Text = ("", "")


@dataclass(frozen=True)
class Question:
    kind: str  # "single_choice", "multiple_choice" or "true_false"
    prompt: Text
    choices: tuple[Choice, ...] = ()
    answer: str = ""  # true/false questions: "true" or "false"
    explanation: Text = ("", "")


@dataclass(frozen=True)
class Block:
    kind: str  # "text", "image", "callout", "scenario", "steps"
    text: Text = ("", "")
    image: str = ""
    alt: Text = ("", "")
    caption: Text = ("", "")
    style: str = "tip"
    title: Text = ("", "")
    choices: tuple[Choice, ...] = ()
    steps: tuple[Text, ...] = ()


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: Text
    summary: Text
    minutes: int
    body: tuple[Block, ...]
    quiz: tuple[Question, ...]


@dataclass(frozen=True)
class Course:
    slug: str
    topic: str
    title: Text
    summary: Text
    outcomes: tuple[Text, ...]
    certificate_title: Text
    cover: str
    lessons: tuple[Lesson, ...] = field(default_factory=tuple)
    level: str = "beginner"
    pass_mark: int = 60
    credit_hours: Decimal | None = None


@dataclass(frozen=True)
class TopicSpec:
    slug: str
    name: Text
    icon: str
    colour: str


def p(zh: str, en: str) -> Block:
    return Block("text", text=(f"<p>{zh}</p>", f"<p>{en}</p>"))


def ul(items: tuple[Text, ...]) -> Block:
    zh = "".join(f"<li>{a}</li>" for a, _ in items)
    en = "".join(f"<li>{b}</li>" for _, b in items)
    return Block("text", text=(f"<ul>{zh}</ul>", f"<ul>{en}</ul>"))


def img(key: str, alt: Text, caption: Text = ("", "")) -> Block:
    return Block("image", image=key, alt=alt, caption=caption)


def callout(style: str, zh: str, en: str) -> Block:
    return Block("callout", style=style, text=(f"<p>{zh}</p>", f"<p>{en}</p>"))


def tf(prompt: Text, answer: bool, explanation: Text) -> Question:
    return Question(
        "true_false", prompt, answer="true" if answer else "false", explanation=explanation
    )


def single(prompt: Text, choices: tuple[Choice, ...], explanation: Text) -> Question:
    return Question("single_choice", prompt, choices, explanation=explanation)


def multiple(prompt: Text, choices: tuple[Choice, ...], explanation: Text) -> Question:
    return Question("multiple_choice", prompt, choices, explanation=explanation)


TOPICS = (
    TopicSpec("phone-skills", ("手机技能", "Phone skills"), "phone", "#0b5c3b"),
    TopicSpec("selling-online", ("网上销售", "Selling online"), "shop", "#8a4b00"),
    TopicSpec("online-safety", ("网络安全", "Online safety"), "shield", "#a31515"),
)

PHONE_BASICS = Course(
    slug="phone-basics",
    credit_hours=Decimal("1"),
    topic="phone-skills",
    title=("手机基本技能", "Smartphone basics"),
    summary=(
        "把字调大、用微信发语音、扫码付款、拍清楚的照片、在手机上办政务。",
        "Make text bigger, send WeChat voice messages, pay by QR code, take clear photos and "
        "use government services on your phone.",
    ),
    outcomes=(
        ("把手机字体调大，看得清楚", "Make the text on your phone big enough to read"),
        ("用微信发文字和语音消息", "Send text and voice messages in WeChat"),
        ("安全地扫码付款", "Pay safely with a QR code"),
        ("用手机办常用政务", "Use common government services on the phone"),
    ),
    certificate_title=("手机基本技能结业证书", "Certificate in smartphone basics"),
    cover="large-text",
    lessons=(
        Lesson(
            slug="large-text",
            title=("调大字体，看得更清楚", "Bigger text, easier reading"),
            summary=("在设置里把字调大。", "Make the text bigger in Settings."),
            minutes=4,
            body=(
                p(
                    "字太小看不清？打开<b>设置</b>，找到<b>显示</b>，再点<b>字体大小</b>，"
                    "把滑块往右拉。",
                    "Text too small? Open <b>Settings</b>, find <b>Display</b>, tap "
                    "<b>Font size</b> and drag the slider to the right.",
                ),
                img(
                    "large-text",
                    (
                        "手机设置里的字体大小滑块，滑块在右边，字变大了",
                        "The font size slider in phone settings, moved to the right: "
                        "the letters are bigger",
                    ),
                    ("往右拉，字就变大。", "Drag right to make the letters bigger."),
                ),
                callout(
                    "tip",
                    "微信里也能单独调字体：我 → 设置 → 通用 → 字体大小。",
                    "WeChat has its own setting too: Me → Settings → General → Font size.",
                ),
            ),
            quiz=(
                single(
                    ("在哪里调字体大小？", "Where do you change the font size?"),
                    (
                        Choice(
                            ("设置 → 显示 → 字体大小", "Settings → Display → Font size"),
                            True,
                            ("对！", "Right!"),
                        ),
                        Choice(
                            ("相机", "Camera"),
                            False,
                            ("相机是拍照用的。", "The camera is for photos."),
                        ),
                        Choice(
                            ("计算器", "Calculator"),
                            False,
                            ("计算器不能改字体。", "The calculator cannot change text."),
                        ),
                    ),
                    ("字体大小在设置的显示里。", "Font size is under Display in Settings."),
                ),
                tf(
                    ("把滑块往右拉，字会变大。", "Dragging the slider right makes text bigger."),
                    True,
                    ("往右是变大。", "Right means bigger."),
                ),
                tf(
                    ("微信不能单独调字体大小。", "WeChat cannot change its own font size."),
                    False,
                    (
                        "微信在“通用”里有自己的字体大小。",
                        "WeChat has its own font size under General.",
                    ),
                ),
            ),
        ),
        Lesson(
            slug="wechat-voice",
            title=("微信发消息和语音", "WeChat messages and voice"),
            summary=("打字不方便，就发语音。", "If typing is hard, send a voice message."),
            minutes=5,
            body=(
                p(
                    "打开和家人的聊天，点左下角的<b>小喇叭</b>，按住<b>按住说话</b>，说完松开就发出去了。",
                    "Open the chat with your family, tap the <b>speaker</b> at the bottom left, "
                    "hold <b>Hold to talk</b>, speak, and let go to send.",
                ),
                img(
                    "voice-message",
                    (
                        "微信聊天界面：一条语音消息和下面的说话按钮",
                        "A WeChat chat with a voice message and the talk button below",
                    ),
                    ("按住说话，松开发送。", "Hold to talk, let go to send."),
                ),
                ul(
                    (
                        ("手指往上滑可以取消。", "Slide your finger up to cancel."),
                        ("语音最长 60 秒。", "A voice message can be up to 60 seconds."),
                        (
                            "听不清时可以点“转文字”。",
                            "Tap “Convert to text” if it is hard to hear.",
                        ),
                    )
                ),
            ),
            quiz=(
                single(
                    ("怎样发语音？", "How do you send a voice message?"),
                    (
                        Choice(
                            ("按住“按住说话”，说完松开", "Hold “Hold to talk”, let go when done"),
                            True,
                        ),
                        Choice(("连点三下屏幕", "Tap the screen three times"), False),
                        Choice(("关机再开机", "Turn the phone off and on"), False),
                    ),
                    ("按住说话，松开就发送。", "Hold to talk; letting go sends it."),
                ),
                tf(
                    (
                        "说错了可以手指往上滑取消。",
                        "If you make a mistake you can slide up to cancel.",
                    ),
                    True,
                    ("往上滑就不会发出去。", "Sliding up stops it from being sent."),
                ),
                multiple(
                    ("哪些做法是对的？", "Which of these are right?"),
                    (
                        Choice(("听不清时点“转文字”", "Tap “Convert to text” if unclear"), True),
                        Choice(("一条语音最长 60 秒", "A voice message lasts at most 60 s"), True),
                        Choice(("语音必须先打字", "You must type before recording"), False),
                    ),
                    (
                        "语音可以转文字，最长 60 秒。",
                        "Voice can be converted to text and lasts up to 60 seconds.",
                    ),
                ),
            ),
        ),
        Lesson(
            slug="mobile-payment",
            title=("扫码付款", "Paying by QR code"),
            summary=(
                "扫商家的码，核对金额再付。",
                "Scan the seller's code, check the amount, then pay.",
            ),
            minutes=5,
            body=(
                p(
                    "在微信或支付宝里点<b>扫一扫</b>，对准商家的收款码，输入金额，"
                    "<b>看清收款人名字</b>再输入密码。",
                    "In WeChat or Alipay tap <b>Scan</b>, point at the seller's payment code, "
                    "enter the amount, <b>check the payee's name</b>, then enter your password.",
                ),
                img(
                    "payment",
                    (
                        "手机扫二维码付款，旁边一个绿色对勾表示付款成功",
                        "A phone scanning a QR code, with a green tick for a successful payment",
                    ),
                    ("付款成功会看到对勾。", "A tick means the payment went through."),
                ),
                callout(
                    "warning",
                    "支付密码只有自己知道，任何人要都不给。",
                    "Only you know your payment password. Never give it to anyone.",
                ),
            ),
            quiz=(
                single(
                    ("输密码前要先看什么？", "What do you check before entering the password?"),
                    (
                        Choice(("收款人名字和金额", "The payee's name and the amount"), True),
                        Choice(("手机电量", "The battery level"), False),
                        Choice(("天气", "The weather"), False),
                    ),
                    ("名字和金额对了再付。", "Pay only when the name and amount are right."),
                ),
                tf(
                    (
                        "可以把支付密码告诉熟人帮忙付款。",
                        "You may tell a friend your payment password.",
                    ),
                    False,
                    ("支付密码谁都不能告诉。", "Never tell anyone your payment password."),
                ),
                tf(
                    ("付款成功后会有提示。", "You see a confirmation after paying."),
                    True,
                    ("看到成功提示再离开。", "Wait for the confirmation before you leave."),
                ),
            ),
        ),
        Lesson(
            slug="clear-photos",
            title=("拍出清楚的照片", "Taking clear photos"),
            summary=("光线好、手要稳、先对焦。", "Good light, steady hands, focus first."),
            minutes=4,
            body=(
                p(
                    "在白天靠窗或屋外拍。拍之前<b>点一下屏幕</b>对焦，两只手拿稳，擦干净镜头。",
                    "Take photos in daylight near a window or outdoors. <b>Tap the screen</b> to "
                    "focus first, hold the phone with both hands and wipe the lens.",
                ),
                img(
                    "photo-tips",
                    (
                        "阳光下桌上摆着三个水果，四角有取景框",
                        "Three fruits on a table in sunlight, inside a camera frame",
                    ),
                    ("自然光最好看。", "Daylight looks best."),
                ),
                callout(
                    "tip",
                    "镜头上有指纹，照片就会发雾。",
                    "A fingerprint on the lens makes photos hazy.",
                ),
            ),
            quiz=(
                single(
                    ("怎样让照片更清楚？", "How do you make a photo sharper?"),
                    (
                        Choice(("点屏幕对焦，拿稳手机", "Tap to focus and hold steady"), True),
                        Choice(("晚上关灯拍", "Shoot at night with the light off"), False),
                        Choice(("一只手快速拍", "Shoot quickly with one hand"), False),
                    ),
                    ("对焦加拿稳，照片就清楚。", "Focus and a steady hand make it sharp."),
                ),
                tf(
                    ("擦干净镜头能让照片更清楚。", "Cleaning the lens makes photos clearer."),
                    True,
                    ("指纹会让照片发雾。", "Fingerprints make photos hazy."),
                ),
                multiple(
                    ("哪些光线适合拍照？", "Which light is good for photos?"),
                    (
                        Choice(("白天靠窗", "By a window in daytime"), True),
                        Choice(("屋外阴天", "Outdoors on a cloudy day"), True),
                        Choice(("黑屋子里", "In a dark room"), False),
                    ),
                    ("自然光最合适。", "Natural light works best."),
                ),
            ),
        ),
        Lesson(
            slug="government-services",
            title=("用手机办政务", "Government services on the phone"),
            summary=(
                "用官方小程序查社保、办业务。",
                "Use official mini-programs for social insurance and more.",
            ),
            minutes=5,
            body=(
                p(
                    "很多事不用跑腿：在微信里搜索本省的<b>政务服务</b>小程序，可以查社保、医保，办证明。",
                    "Many errands need no trip: search WeChat for your province's <b>government "
                    "services</b> mini-program to check social and medical insurance or get "
                    "certificates.",
                ),
                img(
                    "gov-service",
                    (
                        "手机上一排排彩色的小程序图标，旁边一个喇叭",
                        "Rows of colourful mini-program icons on a phone, with a loudspeaker",
                    ),
                    ("认准官方标志。", "Look for the official mark."),
                ),
                callout(
                    "warning",
                    "只用官方小程序。要你先交钱的“代办”多半是骗局。",
                    "Use only official mini-programs. “Agents” who want money first are "
                    "usually scams.",
                ),
            ),
            quiz=(
                single(
                    ("在哪里查社保？", "Where can you check your social insurance?"),
                    (
                        Choice(
                            ("官方政务服务小程序", "The official government-services mini-program"),
                            True,
                        ),
                        Choice(
                            ("陌生人发来的链接", "A link from a stranger"),
                            False,
                            ("陌生链接可能是诈骗。", "Links from strangers may be scams."),
                        ),
                        Choice(("游戏里", "In a game"), False),
                    ),
                    ("认准官方渠道。", "Use official channels."),
                ),
                tf(
                    ("办政务要先给“代办”转钱。", "You must pay an “agent” first."),
                    False,
                    (
                        "官方服务不用先给个人转钱。",
                        "Official services never ask you to pay a person first.",
                    ),
                ),
                tf(
                    ("医保也能在手机上查。", "Medical insurance can be checked on the phone."),
                    True,
                    (
                        "在政务服务小程序里就能查。",
                        "It is in the government-services mini-program.",
                    ),
                ),
            ),
        ),
    ),
)

SELLING_ONLINE = Course(
    slug="selling-online",
    credit_hours=Decimal("2"),
    topic="selling-online",
    title=("农产品网上销售", "Selling farm produce online"),
    summary=(
        "拍好商品照片、写好介绍、定价发货、直播卖货、服务好顾客。",
        "Take good product photos, write a listing, set prices and ship, sell on live streams "
        "and look after customers.",
    ),
    outcomes=(
        ("拍出吸引人的商品照片", "Take product photos that sell"),
        ("写清楚商品介绍和价格", "Write a clear listing with a fair price"),
        ("安排好包装和发货", "Pack and ship orders well"),
        ("做好售后服务", "Give good after-sales service"),
    ),
    certificate_title=("农产品网上销售结业证书", "Certificate in selling farm produce online"),
    cover="product-photo",
    lessons=(
        Lesson(
            slug="product-photos",
            title=("商品照片", "Product photos"),
            summary=("干净背景、自然光、拍细节。", "Plain background, daylight, show the details."),
            minutes=5,
            body=(
                p(
                    "把商品放在<b>干净的背景</b>上，用自然光，拍一张全景，再拍几张细节，比如切开的果肉。",
                    "Put the product on a <b>plain background</b>, use daylight, take one whole "
                    "shot and a few details, such as the fruit cut open.",
                ),
                img(
                    "product-photo",
                    (
                        "白色背景上一个红苹果，阳光从右上照过来",
                        "A red apple on a white background, lit from the top right",
                    ),
                    (
                        "背景越干净，商品越显眼。",
                        "The plainer the background, the more the product stands out.",
                    ),
                ),
                callout(
                    "tip",
                    "照片要真实，不要过度美颜，不然顾客会退货。",
                    "Keep photos honest; heavy filters lead to returns.",
                ),
            ),
            quiz=(
                single(
                    ("商品照片用什么背景好？", "Which background is best?"),
                    (
                        Choice(("干净的单色背景", "A plain single-colour background"), True),
                        Choice(("乱糟糟的院子", "A messy yard"), False),
                        Choice(("电视屏幕", "A TV screen"), False),
                    ),
                    ("干净背景让商品更突出。", "A plain background makes the product stand out."),
                ),
                tf(
                    ("照片美颜越多越好。", "The more filters the better."),
                    False,
                    ("照片不真实会引起退货。", "Untrue photos cause returns."),
                ),
                multiple(
                    ("应该拍哪些照片？", "Which photos should you take?"),
                    (
                        Choice(("商品全景", "The whole product"), True),
                        Choice(("细节，比如切开的果肉", "Details, like the fruit cut open"), True),
                        Choice(("别家的商品", "Someone else's product"), False),
                    ),
                    ("全景加细节，顾客才放心。", "Whole shots and details reassure buyers."),
                ),
            ),
        ),
        Lesson(
            slug="writing-a-listing",
            title=("写商品介绍", "Writing a listing"),
            summary=(
                "写清品种、产地、重量和保存方法。",
                "State variety, origin, weight and storage.",
            ),
            minutes=5,
            body=(
                p(
                    "好的介绍回答顾客的问题：<b>什么品种、哪里产、多重、怎么保存</b>。句子要短，说实话。",
                    "A good listing answers buyers' questions: <b>what variety, where from, how "
                    "heavy, how to store it</b>. Keep sentences short and true.",
                ),
                img(
                    "listing",
                    (
                        "手机上的商品页：商品图片、几行介绍、价格标签和购买按钮",
                        "A product page on a phone: picture, a few lines of text, "
                        "a price tag and a buy button",
                    ),
                ),
                ul(
                    (
                        ("品种和产地", "Variety and origin"),
                        ("净重", "Net weight"),
                        ("保存方法", "How to store it"),
                    )
                ),
            ),
            quiz=(
                multiple(
                    ("商品介绍要写什么？", "What belongs in a listing?"),
                    (
                        Choice(("品种和产地", "Variety and origin"), True),
                        Choice(("净重", "Net weight"), True),
                        Choice(("邻居的电话", "Your neighbour's phone number"), False),
                    ),
                    ("写顾客关心的信息。", "Write what buyers care about."),
                ),
                tf(
                    ("介绍可以夸大，卖得更快。", "Exaggerating sells faster."),
                    False,
                    ("夸大会带来差评和退货。", "Exaggeration brings bad reviews and returns."),
                ),
                single(
                    ("介绍的句子应该怎样？", "How should listing sentences be?"),
                    (
                        Choice(("短而真实", "Short and true"), True),
                        Choice(("越长越好", "As long as possible"), False),
                        Choice(("全用外语", "All in a foreign language"), False),
                    ),
                    ("短句好读。", "Short sentences are easy to read."),
                ),
            ),
        ),
        Lesson(
            slug="pricing-and-delivery",
            title=("定价和发货", "Pricing and delivery"),
            summary=("算清成本，包装结实，及时发货。", "Know your costs, pack well, ship on time."),
            minutes=6,
            body=(
                p(
                    "定价前算清<b>成本</b>：种植、包装、快递费。包装要防压防漏，发货后把<b>快递单号</b>告诉顾客。",
                    "Before pricing, add up your <b>costs</b>: growing, packing and postage. Pack "
                    "against crushing and leaks, and send the buyer the <b>tracking number</b>.",
                ),
                img(
                    "delivery",
                    (
                        "一辆蓝色快递车和一个封好的纸箱",
                        "A blue delivery van and a sealed cardboard box",
                    ),
                ),
                callout(
                    "tip",
                    "水果用泡沫网套和隔板，能少很多损坏。",
                    "Foam sleeves and dividers for fruit prevent a lot of damage.",
                ),
            ),
            quiz=(
                multiple(
                    ("定价要算哪些成本？", "Which costs go into the price?"),
                    (
                        Choice(("种植成本", "Growing costs"), True),
                        Choice(("包装", "Packing"), True),
                        Choice(("快递费", "Postage"), True),
                        Choice(("看电视的电费", "Electricity for watching TV"), False),
                    ),
                    ("种植、包装和快递都要算。", "Growing, packing and postage all count."),
                ),
                tf(
                    ("发货后要告诉顾客快递单号。", "Send the buyer the tracking number."),
                    True,
                    ("顾客能自己查物流。", "Buyers can then track the parcel."),
                ),
                single(
                    ("水果怎样包装更好？", "How should fruit be packed?"),
                    (
                        Choice(("泡沫网套加隔板", "Foam sleeves and dividers"), True),
                        Choice(("直接装塑料袋", "Loose in a plastic bag"), False),
                        Choice(("不用包装", "No packing"), False),
                    ),
                    ("防压才能少损坏。", "Protection against crushing prevents damage."),
                ),
            ),
        ),
        Lesson(
            slug="live-stream-basics",
            title=("直播卖货入门", "Live-stream selling basics"),
            summary=("光线、声音、真实展示。", "Light, sound and honest showing."),
            minutes=6,
            body=(
                p(
                    "直播前<b>试一下光线和声音</b>，手机放稳。在地头或果园直播，现场摘、现场尝，顾客更相信。",
                    "Before going live, <b>test the light and sound</b> and fix the phone on a "
                    "stand. Streaming from the field or orchard, picking and tasting on camera, "
                    "builds trust.",
                ),
                img(
                    "live-stream",
                    (
                        "手机直播画面：一个人在镜头前，右下角飘着爱心",
                        "A live stream on a phone: a person on camera with hearts floating up",
                    ),
                ),
                callout(
                    "warning",
                    "直播里不能说“最便宜”“治百病”这类夸大的话，这是违规的。",
                    "Never claim “cheapest ever” or “cures everything” on a stream: "
                    "it breaks the rules.",
                ),
            ),
            quiz=(
                single(
                    ("直播前先做什么？", "What do you do before going live?"),
                    (
                        Choice(("试光线和声音", "Test light and sound"), True),
                        Choice(("关掉网络", "Switch off the network"), False),
                        Choice(("把手机调静音", "Mute the phone's microphone"), False),
                    ),
                    ("画面和声音清楚，顾客才会看。", "Clear picture and sound keep viewers."),
                ),
                tf(
                    ("直播可以说商品“治百病”。", "You may say a product “cures everything”."),
                    False,
                    ("夸大宣传是违规的。", "Exaggerated claims break the rules."),
                ),
                tf(
                    ("在地头直播能让顾客更相信。", "Streaming from the field builds trust."),
                    True,
                    ("现场展示最真实。", "Showing it on the spot is most honest."),
                ),
            ),
        ),
        Lesson(
            slug="customer-service",
            title=("服务好顾客", "Looking after customers"),
            summary=("及时回复，坏了就赔。", "Reply quickly; make it right when something breaks."),
            minutes=5,
            body=(
                p(
                    "顾客提问要<b>当天回复</b>。收到坏果，请顾客拍照，核实后补发或退款。好评多了，回头客就多。",
                    "Reply to questions <b>the same day</b>. If fruit arrives damaged, ask for a "
                    "photo and, once checked, resend or refund. Good reviews bring buyers back.",
                ),
                img(
                    "customer-service",
                    ("聊天界面里的几条对话和五颗星", "Chat messages and five stars"),
                ),
                callout(
                    "tip",
                    "常见问题可以提前写好，复制就能回复。",
                    "Write answers to common questions in advance and paste them.",
                ),
            ),
            quiz=(
                single(
                    (
                        "顾客说水果坏了，怎么办？",
                        "A buyer says the fruit arrived damaged. What now?",
                    ),
                    (
                        Choice(
                            (
                                "请对方拍照，核实后补发或退款",
                                "Ask for a photo, then resend or refund",
                            ),
                            True,
                        ),
                        Choice(("不理他", "Ignore them"), False),
                        Choice(("骂他", "Argue with them"), False),
                    ),
                    ("处理好售后，顾客会回来。", "Good after-sales brings buyers back."),
                ),
                tf(
                    ("顾客的问题最好当天回复。", "Answer buyers' questions the same day."),
                    True,
                    ("回复快，顾客放心。", "Quick replies reassure buyers."),
                ),
                tf(
                    ("好评对网店没有用。", "Reviews do not matter for a shop."),
                    False,
                    ("好评带来回头客。", "Good reviews bring repeat buyers."),
                ),
            ),
        ),
    ),
)

ONLINE_SAFETY = Course(
    slug="online-safety",
    credit_hours=Decimal("1.5"),
    topic="online-safety",
    title=("网络安全与防骗", "Online safety and fraud"),
    summary=(
        "认清诈骗电话和短信、假贷款和投资，保护身份证号和验证码，安全付款，被骗打 96110。",
        "Spot fraud calls and texts, fake loans and investments, protect your ID number and "
        "verification codes, pay safely, and call 96110 if you are cheated.",
    ),
    outcomes=(
        ("认出常见的诈骗电话和短信", "Recognise common fraud calls and texts"),
        ("不把验证码和身份证号给别人", "Never give away codes or your ID number"),
        ("安全地付款和转账", "Pay and transfer money safely"),
        ("知道被骗后打 96110", "Know to call 96110 after a fraud"),
    ),
    certificate_title=("网络安全与防骗结业证书", "Certificate in online safety"),
    cover="safe-payment",
    lessons=(
        Lesson(
            slug="fraud-calls-and-sms",
            title=("诈骗电话和短信", "Fraud calls and text messages"),
            summary=(
                "冒充客服、公检法的都要当心。",
                "Beware of callers posing as staff or police.",
            ),
            minutes=5,
            body=(
                p(
                    "骗子常冒充<b>快递客服、银行、公检法</b>，说你的包裹丢了、账户有问题，要你转账或点链接。",
                    "Fraudsters pose as <b>courier staff, banks or police</b>, say your parcel is "
                    "lost or your account has a problem, and ask you to transfer money or tap a "
                    "link.",
                ),
                img(
                    "fraud-call",
                    (
                        "陌生来电的手机屏幕，旁边一个黄色警告三角",
                        "A phone showing an unknown caller, next to a yellow warning triangle",
                    ),
                ),
                Block(
                    "scenario",
                    title=("“快递理赔”", "“Parcel compensation”"),
                    text=(
                        "【快递】您的包裹丢失，点击链接填写银行卡号领取三倍赔偿。",
                        "[Courier] Your parcel was lost. Tap the link and enter your bank "
                        "card number to get triple compensation.",
                    ),
                    choices=(
                        Choice(
                            ("点链接领赔偿", "Tap the link to claim"),
                            False,
                            (
                                "这是钓鱼链接，会盗走你的钱。",
                                "It is a phishing link that steals your money.",
                            ),
                        ),
                        Choice(
                            ("打快递公司官方电话核实", "Call the courier's official number"),
                            True,
                            ("对！用官方渠道核实。", "Right: check through official channels."),
                        ),
                    ),
                ),
            ),
            quiz=(
                single(
                    (
                        "有人自称公安，要你把钱转到“安全账户”，这是？",
                        (
                            "Someone claiming to be police asks you to move money to a “safe "
                            "account”. This is?"
                        ),
                    ),
                    (
                        Choice(("诈骗", "Fraud"), True),
                        Choice(
                            ("正常办案", "Normal police work"),
                            False,
                            ("公安不会要你转账。", "Police never ask you to transfer money."),
                        ),
                    ),
                    ("根本没有“安全账户”。", "There is no such thing as a “safe account”."),
                ),
                tf(
                    (
                        "短信里的理赔链接可以直接点。",
                        "It is fine to tap a compensation link in a text.",
                    ),
                    False,
                    ("先打官方电话核实。", "Check with the official number first."),
                ),
                multiple(
                    ("骗子常冒充谁？", "Whom do fraudsters often pretend to be?"),
                    (
                        Choice(("快递客服", "Courier staff"), True),
                        Choice(("银行", "Banks"), True),
                        Choice(("公检法", "Police and courts"), True),
                    ),
                    ("这些都是常见的冒充对象。", "All of these are commonly faked."),
                ),
            ),
        ),
        Lesson(
            slug="fake-loans-and-investments",
            title=("假贷款和假投资", "Fake loans and investments"),
            summary=(
                "先交钱的贷款、稳赚的投资都是骗局。",
                "Loans that need a fee first, sure-profit investments: all scams.",
            ),
            minutes=5,
            body=(
                p(
                    "正规贷款<b>不会在放款前收钱</b>。说“稳赚不赔、高回报”的投资，也是骗局。",
                    "Real loans <b>never charge a fee before paying out</b>. Investments that "
                    "promise “sure profit, high returns” are scams too.",
                ),
                img(
                    "fake-loan", ("一个钱袋被红色的叉划掉", "A money bag crossed out with a red X")
                ),
                callout(
                    "scam",
                    "“先交保证金、解冻费才能放款”——这就是诈骗。",
                    "“Pay a deposit or unfreezing fee before we release the loan” is fraud.",
                ),
            ),
            quiz=(
                tf(
                    (
                        "贷款放款前要交“解冻费”是正常的。",
                        "Paying an “unfreezing fee” before a loan is normal.",
                    ),
                    False,
                    ("正规贷款不会先收钱。", "Real loans never charge first."),
                ),
                single(
                    ("“稳赚不赔”的投资是？", "An investment that “never loses” is?"),
                    (
                        Choice(("骗局", "A scam"), True),
                        Choice(("好机会", "A good opportunity"), False),
                    ),
                    ("所有投资都有风险。", "Every investment carries risk."),
                ),
                tf(
                    (
                        "贷款要找正规银行或信用社。",
                        "Borrow from a real bank or credit cooperative.",
                    ),
                    True,
                    ("正规机构更安全。", "Licensed lenders are safer."),
                ),
            ),
        ),
        Lesson(
            slug="codes-and-id-numbers",
            title=("验证码和身份证号", "Verification codes and ID numbers"),
            summary=("验证码谁都不给，身份证不外借。", "Give codes to no one; never lend your ID."),
            minutes=4,
            body=(
                p(
                    "<b>验证码就是钥匙</b>。任何人——包括自称客服的人——要验证码，都不要给。身份证、银行卡也不能外借。",
                    "<b>A verification code is a key.</b> Never give it to anyone, even someone "
                    "who says they are customer service. Never lend your ID card or bank card.",
                ),
                img(
                    "secret-code",
                    (
                        "手机上六位验证码被遮住，旁边一把黄色的锁",
                        "A six-digit code hidden on a phone, next to a yellow padlock",
                    ),
                ),
                img(
                    "personal-info",
                    (
                        "身份卡片上的号码被星号遮住",
                        "An ID card with its number hidden by asterisks",
                    ),
                    ("个人信息要遮住再发。", "Hide personal details before sharing."),
                ),
            ),
            quiz=(
                tf(
                    (
                        "客服打电话要验证码，可以给。",
                        "You may give a code to a caller from “customer service”.",
                    ),
                    False,
                    ("验证码谁都不给。", "Give codes to no one."),
                ),
                single(
                    (
                        "别人借你的身份证去办卡，怎么办？",
                        "Someone wants to borrow your ID card to open an account. What do you do?",
                    ),
                    (
                        Choice(("拒绝", "Refuse"), True),
                        Choice(
                            ("借给他", "Lend it"),
                            False,
                            ("你的身份可能被用来犯罪。", "Your identity could be used for crime."),
                        ),
                    ),
                    ("身份证和银行卡不外借。", "Never lend your ID or bank card."),
                ),
                multiple(
                    ("哪些信息要保护好？", "Which details must you protect?"),
                    (
                        Choice(("身份证号", "ID number"), True),
                        Choice(("验证码", "Verification codes"), True),
                        Choice(("银行卡密码", "Bank card PIN"), True),
                        Choice(("天气预报", "The weather forecast"), False),
                    ),
                    ("这些都能被骗子利用。", "Fraudsters can use all of these."),
                ),
            ),
        ),
        Lesson(
            slug="safe-payments",
            title=("安全付款", "Paying safely"),
            summary=(
                "只在正规平台付款，不私下转账。",
                "Pay only on proper platforms, never by private transfer.",
            ),
            minutes=5,
            body=(
                p(
                    "网上买东西，<b>在平台里付款</b>。卖家让你加微信私下转账、给你发付款链接，都不要理。",
                    "When buying online, <b>pay inside the platform</b>. Ignore sellers who ask "
                    "you to add them on WeChat and transfer privately or send a payment link.",
                ),
                img("safe-payment", ("绿色盾牌上一个白色对勾", "A green shield with a white tick")),
                callout(
                    "tip",
                    "在支付设置里打开“转账到账时间”延迟，转错了还能撤回。",
                    "Turn on delayed transfers in payment settings so you can cancel a "
                    "mistaken transfer.",
                ),
            ),
            quiz=(
                single(
                    (
                        "卖家让你私下转账更便宜，怎么办？",
                        "A seller offers a discount for a private transfer. What do you do?",
                    ),
                    (
                        Choice(("坚持在平台里付款", "Insist on paying in the platform"), True),
                        Choice(("马上转账", "Transfer at once"), False),
                    ),
                    ("平台付款有保障。", "Paying in the platform protects you."),
                ),
                tf(
                    ("转账延迟到账可以防止转错。", "Delayed transfers help undo mistakes."),
                    True,
                    ("到账前还能撤回。", "You can cancel before it arrives."),
                ),
                tf(
                    ("陌生人发的付款链接可以放心点。", "Payment links from strangers are safe."),
                    False,
                    ("可能是钓鱼网站。", "It may be a phishing site."),
                ),
            ),
        ),
        Lesson(
            slug="report-fraud-96110",
            title=("被骗了，打 96110", "Cheated? Call 96110"),
            summary=("马上报警，保留证据。", "Report at once and keep the evidence."),
            minutes=4,
            body=(
                p(
                    "发现被骗，<b>马上打 110 报警</b>，或打反诈专线 <b>96110</b>。"
                    "保留聊天记录、转账截图和对方账号。",
                    "If you have been cheated, <b>call 110 at once</b> or the anti-fraud line "
                    "<b>96110</b>. Keep chat records, transfer screenshots and the other "
                    "account's details.",
                ),
                img(
                    "report-fraud",
                    (
                        "手机拨号盘上显示 96110，旁边一个蓝色盾牌",
                        "A phone keypad showing 96110, next to a blue shield",
                    ),
                ),
                callout(
                    "tip",
                    "接到 96110 打来的电话要接听：这是反诈中心在提醒你。",
                    "Answer calls from 96110: the anti-fraud centre is warning you.",
                ),
            ),
            quiz=(
                single(
                    ("反诈专线是多少？", "What is the anti-fraud hotline?"),
                    (
                        Choice(("96110", "96110"), True),
                        Choice(("12345", "12345"), False),
                        Choice(("10086", "10086"), False),
                    ),
                    ("记住 96110。", "Remember 96110."),
                ),
                multiple(
                    ("被骗后要保留什么？", "What should you keep after a fraud?"),
                    (
                        Choice(("聊天记录", "Chat records"), True),
                        Choice(("转账截图", "Transfer screenshots"), True),
                        Choice(("对方账号", "The other account's details"), True),
                    ),
                    ("这些是警方破案的证据。", "Police need this evidence."),
                ),
                tf(
                    ("96110 打来的电话可以不接。", "You can ignore calls from 96110."),
                    False,
                    ("这是反诈中心在提醒你。", "It is the anti-fraud centre warning you."),
                ),
            ),
        ),
    ),
)

COURSES = (PHONE_BASICS, SELLING_ONLINE, ONLINE_SAFETY)

CATALOG = {
    "title": ("课程", "Courses"),
    "intro": (
        "选一门课，用手机一节一节学。每节课三到七分钟。",
        "Pick a course and learn it lesson by lesson on your phone. Each lesson takes three to "
        "seven minutes.",
    ),
}
