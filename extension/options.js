// 设置页：读写 chrome.storage.local，保存时为新网址申请权限，并让后台重新注册页面脚本。
"use strict";

const FIELDS = ["serverUrl", "apiKey", "unreachablePolicy", "timeoutMs", "replyBox", "sendButton",
                "messageList", "ownMessage", "contextCount"];
// Chrome match patterns: scheme://host/path, with * allowed in scheme, host start and path.
const PATTERN = /^(\*|https?|file):\/\/(\*|\*\.[^/*]+|[^/*]+)?\/.*$/;

function status(text, kind) {
  const node = document.getElementById("status");
  node.textContent = text;
  node.className = kind || "";
}

function show(settings) {
  for (const name of FIELDS) document.getElementById(name).value = settings[name];
  document.getElementById("urlPatterns").value = settings.urlPatterns.join("\n");
}

function read() {
  const values = {};
  for (const name of FIELDS) values[name] = document.getElementById(name).value.trim();
  values.timeoutMs = Number(values.timeoutMs);
  values.contextCount = Number(values.contextCount);
  values.urlPatterns = document.getElementById("urlPatterns").value.split("\n")
    .map((line) => line.trim()).filter(Boolean);
  return values;
}

function problems(values) {
  const found = [];
  let url = null;
  try {
    url = new URL(values.serverUrl);
  } catch (_) {
    found.push("服务地址不是有效的网址");
  }
  if (url && !/^https?:$/.test(url.protocol)) found.push("服务地址要以 http:// 或 https:// 开头");
  for (const pattern of values.urlPatterns) {
    if (!PATTERN.test(pattern)) found.push(`“${pattern}”不是有效的网址模式`);
  }
  for (const name of ["replyBox", "sendButton", "messageList", "ownMessage"]) {
    if (!values[name] && name === "replyBox") found.push("回复框选择器不能为空");
    if (values[name]) {
      try {
        document.createDocumentFragment().querySelector(values[name]);
      } catch (_) {
        found.push(`“${values[name]}”不是有效的 CSS 选择器`);
      }
    }
  }
  return found;
}

async function save() {
  const values = read();
  const wrong = problems(values);
  if (wrong.length) {
    status(wrong.join("；"), "error");
    return;
  }
  const origins = [...values.urlPatterns, new URL(values.serverUrl).origin + "/*"];
  const granted = await chrome.permissions.contains({ origins });
  if (!granted && !(await chrome.permissions.request({ origins }))) {
    status("没有得到访问这些网址的权限，未保存", "error");
    return;
  }
  await chrome.storage.local.set(guardNormalize(values));
  const registered = await chrome.runtime.sendMessage({ type: "guard-register" });
  if (registered && !registered.ok) {
    status("已保存，但页面脚本注册失败：" + registered.error, "error");
    return;
  }
  status("已保存。请刷新聊天页面。", "ok");
}

async function probe() {
  status("正在连接…");
  const [health, info] = await chrome.runtime.sendMessage({ type: "guard-probe" });
  if (!health.ok) {
    status(`连接不上 ${health.server}（${health.error}）。请先运行 guard serve，并先保存地址。`, "error");
  } else if (!info.ok) {
    status(`服务在运行，但拒绝了请求：${info.error}`, "error");
  } else {
    const lexicon = info.data.lexicon;
    status(`连接正常：guard ${info.data.version}，${lexicon.rules} 条规则，${lexicon.terms} 个词条`, "ok");
  }
}

document.getElementById("save").addEventListener("click", () => save().catch((e) => status(String(e), "error")));
document.getElementById("probe").addEventListener("click", () => probe().catch((e) => status(String(e), "error")));
document.getElementById("reset").addEventListener("click", () => {
  show(guardNormalize(null));
  status("已恢复默认值（点“保存”后生效）");
});
guardLoadSettings().then(show);
