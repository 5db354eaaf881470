// guard 插件的后台（service worker）：
// 1. 按设置里的网址模式注册聊天页面脚本（content.js）；
// 2. 替聊天页面请求本机的 guard serve。https 页面里的脚本直接请求 http://127.0.0.1 会被浏览器拦下
//    （混合内容、私有网络访问），插件后台有 host_permissions，可以请求。
// 消息内容只发给设置里的 guard 服务，不保存、不记录。
"use strict";

importScripts("settings.js");

const SCRIPT_ID = "guard-chat";
let cached = null;

function settings() {
  if (!cached) cached = guardLoadSettings();
  return cached;
}

async function registerChatScript() {
  const current = await settings();
  const patterns = current.urlPatterns.filter((p) => typeof p === "string" && p.trim());
  try {
    await chrome.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
  } catch (_) {
    // not registered yet
  }
  if (!patterns.length) return { ok: true, patterns };
  try {
    await chrome.scripting.registerContentScripts([{
      id: SCRIPT_ID,
      matches: patterns,
      js: ["settings.js", "content.js"],
      runAt: "document_idle",
      allFrames: true,
      persistAcrossSessions: true,
    }]);
    return { ok: true, patterns };
  } catch (error) {
    return { ok: false, error: String(error && error.message || error) };
  }
}

chrome.runtime.onInstalled.addListener(() => { registerChatScript(); });
chrome.runtime.onStartup.addListener(() => { registerChatScript(); });
chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== "local") return;
  cached = null;
  if (changes.urlPatterns) registerChatScript();
});
chrome.action.onClicked.addListener(() => chrome.runtime.openOptionsPage());

async function callServer(path, body) {
  const current = await settings();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), current.timeoutMs);
  const headers = { "Content-Type": "application/json" };
  if (current.apiKey) headers["X-API-Key"] = current.apiKey;
  try {
    const response = await fetch(current.serverUrl + path, {
      method: body === undefined ? "GET" : "POST",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
      cache: "no-store",
      credentials: "omit",
    });
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    if (!response.ok) {
      const kind = response.status === 401 ? "auth" : "refused";
      return { ok: false, kind, status: response.status,
               error: (data && data.error) || `HTTP ${response.status}`, server: current.serverUrl };
    }
    return { ok: true, data };
  } catch (error) {
    return { ok: false, kind: "unreachable", server: current.serverUrl,
             error: controller.signal.aborted ? "超时" : "连接失败" };
  } finally {
    clearTimeout(timer);
  }
}

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  if (!message || typeof message !== "object") return false;
  if (message.type === "guard-check") {
    callServer("/v1/check", { text: String(message.text), context: message.context || [] })
      .then(reply);
    return true;
  }
  if (message.type === "guard-probe") {  // the options page's "测试连接"
    Promise.all([callServer("/healthz"), callServer("/v1/info")]).then(reply);
    return true;
  }
  if (message.type === "guard-register") {  // the options page after saving
    cached = null;
    registerChatScript().then(reply);
    return true;
  }
  if (message.type === "guard-ping") {  // keeps this worker awake while a chat page is open
    reply({ ok: true });
    return false;
  }
  return false;
});
