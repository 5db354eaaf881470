// guard 插件的设置：默认值和读取。后台（service worker）、聊天页面里的脚本和设置页共用这一份。
// 设置保存在 chrome.storage.local（只有设置，从不保存消息内容）。
"use strict";

var GUARD_DEFAULTS = Object.freeze({
  // 本机 guard serve 的地址（guard serve 默认监听 127.0.0.1:8765）
  serverUrl: "http://127.0.0.1:8765",
  // guard serve --api-key-env 设置了 API key 时填写；没有设置就留空
  apiKey: "",
  // 在哪些页面上检查（Chrome 的匹配模式，一行一个）。默认：拼多多商家后台的客服聊天页
  urlPatterns: ["https://mms.pinduoduo.com/chat-merchant/*"],
  // 回复框（公开代码中商家后台回复框是 id 为 replyTextarea 的 textarea）
  replyBox: "textarea#replyTextarea",
  // 发送按钮、消息列表、客服自己发出的消息：以下是推测的默认值，请按实际页面修改
  sendButton: ".send-btn",
  messageList: ".msg-list",
  ownMessage: ".msg-item.self",
  // 连同要发的消息一起送去检查的、客服自己之前发的消息条数（用于发现拆成几条发的违规）
  contextCount: 3,
  // guard 服务连不上时："hold" 先不发，显示提示和“仍然发送”按钮；"allow" 照常发送并显示提示
  unreachablePolicy: "hold",
  // 等待检查结果的最长时间（毫秒），超过按“连不上”处理
  timeoutMs: 1500,
});

function guardNormalize(stored) {
  const settings = Object.assign({}, GUARD_DEFAULTS, stored || {});
  if (!Array.isArray(settings.urlPatterns)) settings.urlPatterns = GUARD_DEFAULTS.urlPatterns;
  settings.contextCount = Math.max(0, Math.min(20, Number(settings.contextCount) || 0));
  settings.timeoutMs = Math.max(200, Math.min(10000, Number(settings.timeoutMs) || 1500));
  if (settings.unreachablePolicy !== "allow") settings.unreachablePolicy = "hold";
  settings.serverUrl = String(settings.serverUrl || GUARD_DEFAULTS.serverUrl).replace(/\/+$/, "");
  return settings;
}

function guardLoadSettings() {
  return chrome.storage.local.get(Object.keys(GUARD_DEFAULTS)).then(guardNormalize);
}
