// guard 插件在聊天页面里的脚本：客服按回车或点发送时，先检查再决定是否发出。
//
//   通过（pass）：照常发出。打字停顿时已经在后台检查过，按回车时结果已在手边，不增加延迟。
//   提醒（warn）：先不发，显示提醒；点“确认无误，发送”（或再按一次回车）后发出。
//   拦截（block）：不发出；标出违规的字句、原因和处罚提醒，一键换成能通过检查的改写建议。
//   服务连不上：页面顶部显示提示；默认先不发，可以点“仍然发送”（设置里可改为照常发送）。
//
// 消息内容只交给插件后台转发给设置里的 guard 服务；检查结果只留在本页内存里，不保存。
"use strict";

(() => {
  if (window.__guardChat) return;
  window.__guardChat = true;

  let settings = guardNormalize(null);
  guardLoadSettings().then((loaded) => {
    settings = loaded;
    document.documentElement.dataset.guardReady = "1";
  });
  chrome.storage.onChanged.addListener(() => guardLoadSettings().then((s) => { settings = s; }));

  // ------------------------------------------------------------------ checking

  const KEEP = 50;
  const known = new Map(); // settled answers of this page: "[text, context]" → result
  const pending = new Map();

  function keyOf(text, context) {
    return JSON.stringify([text, context]);
  }

  function unreachable(error) {
    return { ok: false, kind: "unreachable", error, server: settings.serverUrl };
  }

  function check(text, context) {
    const key = keyOf(text, context);
    if (known.has(key)) return Promise.resolve(known.get(key));
    if (pending.has(key)) return pending.get(key);
    const asked = new Promise((resolve) => {
      try {
        chrome.runtime.sendMessage({ type: "guard-check", text, context }, (result) => {
          if (chrome.runtime.lastError || !result) resolve(unreachable("插件后台没有响应"));
          else resolve(result);
        });
      } catch (_) {
        resolve(unreachable("插件已更新，请刷新本页"));
      }
    }).then((result) => {
      pending.delete(key);
      if (result.ok) {
        known.set(key, result);
        if (known.size > KEEP) known.delete(known.keys().next().value);
      }
      return result;
    });
    pending.set(key, asked);
    return asked;
  }

  // ------------------------------------------------------------------ the page

  function safe(find) {
    try {
      return find();
    } catch (_) {
      return null; // a selector the user mistyped must not break the page
    }
  }

  function boxFor(target) {
    return target && target.closest ? safe(() => target.closest(settings.replyBox)) : null;
  }

  function findBox() {
    return safe(() => document.querySelector(settings.replyBox));
  }

  function textOf(box) {
    return "value" in box ? box.value : box.innerText;
  }

  function setText(box, value) {
    if ("value" in box) {
      const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(box), "value");
      if (setter && setter.set) setter.set.call(box, value); // frameworks watch the native setter
      else box.value = value;
    } else {
      box.textContent = value;
    }
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.dispatchEvent(new Event("change", { bubbles: true }));
    box.focus();
    if (box.setSelectionRange) box.setSelectionRange(value.length, value.length);
  }

  function context() {
    if (!settings.contextCount || !settings.messageList || !settings.ownMessage) return [];
    const list = safe(() => document.querySelector(settings.messageList));
    if (!list) return [];
    const own = safe(() => Array.from(list.querySelectorAll(settings.ownMessage))) || [];
    return own.map((e) => (e.innerText || e.textContent || "").trim()).filter(Boolean)
      .slice(-settings.contextCount);
  }

  // ------------------------------------------------------------------ intercepting

  let passThrough = null; // the text the next send may carry unchecked (a replay, an acknowledgement)
  let swallowKeyUp = false;

  window.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.ctrlKey || event.altKey || event.metaKey
        || event.isComposing || event.keyCode === 229) return; // 229: an input method is composing
    const box = boxFor(event.target);
    if (box) intercept(event, box, null);
  }, true);

  window.addEventListener("keyup", (event) => {
    if (event.key === "Enter" && swallowKeyUp) {
      swallowKeyUp = false;
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  window.addEventListener("click", (event) => {
    const target = event.target;
    const button = target && target.closest ? safe(() => target.closest(settings.sendButton)) : null;
    if (!button) return;
    const box = findBox();
    if (box) intercept(event, box, button);
  }, true);

  let typing = 0;
  document.addEventListener("input", (event) => {
    const box = boxFor(event.target);
    if (!box) return;
    clearTimeout(typing);
    typing = setTimeout(() => { // check while the agent pauses: Enter then finds the answer ready
      const text = textOf(box);
      if (text.trim()) check(text, context());
    }, 120);
  }, true);

  function intercept(event, box, button) {
    const text = textOf(box);
    if (!text.trim()) return;
    if (passThrough !== null && passThrough === text) {
      passThrough = null;
      return; // our own replay, or a send the agent confirmed
    }
    const ctx = context();
    const settled = known.get(keyOf(text, ctx));
    if (settled && settled.data.verdict === "pass") {
      ui.hide();
      return; // checked while typing: goes out with no delay at all
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    if (!button) swallowKeyUp = true;
    if (ui.acknowledges(text)) {
      send(box, text, button);
      return;
    }
    const slow = setTimeout(() => ui.checking(box), 150);
    check(text, ctx).then((result) => {
      clearTimeout(slow);
      ui.doneChecking();
      if (textOf(box) !== text) return; // the agent changed it meanwhile
      act(result, box, text, button, ctx);
    });
  }

  function act(result, box, text, button, ctx) {
    if (!result.ok) {
      if (settings.unreachablePolicy === "allow" && result.kind === "unreachable") {
        ui.banner(result, null);
        send(box, text, button);
      } else {
        ui.banner(result, () => send(box, text, button));
      }
      return;
    }
    ui.hideBanner();
    const verdict = result.data;
    if (verdict.verdict === "pass") send(box, text, button);
    else ui.panel(verdict, box, text, ctx, () => send(box, text, button));
  }

  function send(box, text, button) {
    ui.hide();
    swallowKeyUp = false;
    passThrough = text;
    if (button && button.isConnected) {
      button.click();
    } else {
      box.focus();
      for (const type of ["keydown", "keypress", "keyup"]) {
        const replay = new KeyboardEvent(type, { key: "Enter", code: "Enter", bubbles: true,
                                                 cancelable: true, composed: true });
        for (const name of ["keyCode", "which", "charCode"]) {
          Object.defineProperty(replay, name, { get: () => (name === "charCode" && type !== "keypress" ? 0 : 13) });
        }
        box.dispatchEvent(replay);
      }
    }
    setTimeout(() => { if (passThrough === text) passThrough = null; }, 0);
  }

  // ------------------------------------------------------------------ what the agent sees

  const ui = (() => {
    let host = null;
    let root = null;
    let warned = null; // the text whose reminder is on screen (Enter again sends it)

    function ensure() {
      if (host && host.isConnected) return root;
      host = document.createElement("guard-ui");
      host.style.cssText = "all: initial; position: fixed; z-index: 2147483647; top: 0; left: 0;";
      root = host.attachShadow({ mode: "open" });
      const style = document.createElement("style");
      style.textContent = STYLE;
      root.append(style);
      document.documentElement.append(host);
      return root;
    }

    function el(tag, className, text) {
      const node = document.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    }

    function button(label, className, onClick) {
      const node = el("button", className, label);
      node.type = "button";
      node.addEventListener("click", (event) => { event.stopPropagation(); onClick(); });
      return node;
    }

    function remove(selector) {
      if (root) root.querySelectorAll(selector).forEach((n) => n.remove());
    }

    // Spans index the message by code point (as Python does), not by UTF-16 unit.
    function marked(text, findings) {
      const chars = Array.from(text);
      const level = new Array(chars.length).fill("");
      for (const f of findings) {
        for (let i = Math.max(0, f.start); i < Math.min(f.end, chars.length); i++) {
          if (level[i] !== "block") level[i] = f.severity;
        }
      }
      const out = el("div", "message");
      let i = 0;
      while (i < chars.length) {
        let j = i;
        while (j < chars.length && level[j] === level[i]) j++;
        const piece = chars.slice(i, j).join("");
        out.append(level[i] ? el("mark", level[i], piece) : document.createTextNode(piece));
        i = j;
      }
      return out;
    }

    function place(node, box) {
      const rect = box.getBoundingClientRect();
      const width = Math.min(Math.max(rect.width, 380), window.innerWidth - 16);
      node.style.width = width + "px";
      node.style.left = Math.max(8, Math.min(rect.left, window.innerWidth - width - 8)) + "px";
      if (rect.top > 260) node.style.bottom = (window.innerHeight - rect.top + 8) + "px";
      else node.style.top = (rect.bottom + 8) + "px";
    }

    function panel(verdict, box, text, ctx, sendIt) {
      ensure();
      remove(".panel");
      const blocked = verdict.verdict === "block";
      const node = el("div", "panel " + verdict.verdict);
      node.setAttribute("role", "alertdialog");
      const title = el("div", "title");
      title.append(el("span", "badge", blocked ? "拦截" : "提醒"));
      title.append(document.createTextNode(blocked ? "这条消息不会发出" : "请确认后再发送"));
      node.append(title);
      node.append(marked(text, verdict.findings));
      const reasons = el("ul", "reasons");
      for (const f of verdict.findings) {
        const item = el("li", f.severity);
        const shown = f.split ? Array.from(f.split.text).slice(f.split.start, f.split.end).join("")
          .replace(/\n/g, " ⏎ ") : f.text;
        item.append(el("mark", f.severity, shown));
        item.append(document.createTextNode(" " + f.reason));
        if (f.split) {
          const earlier = f.split.context.map((i) => "「" + (ctx[i] || "") + "」").join("");
          item.append(el("div", "split", "与您之前发的" + earlier + "连起来构成违规"));
        }
        reasons.append(item);
      }
      node.append(reasons);
      if (verdict.warning) node.append(el("div", "warning", verdict.warning));
      const actions = el("div", "buttons");
      if (blocked && typeof verdict.suggestion === "string") {
        const suggestion = el("div", "suggestion");
        suggestion.append(el("div", "label", "建议改为（已通过检查）："));
        suggestion.append(el("div", "text", verdict.suggestion));
        node.append(suggestion);
        actions.append(button("使用建议改写", "primary use", () => {
          hide();
          setText(box, verdict.suggestion);
        }));
      }
      if (!blocked) {
        warned = text;
        actions.append(button("确认无误，发送", "primary confirm", sendIt));
        node.append(el("div", "hint", "再按一次回车也会发送"));
      }
      actions.append(button("返回修改", "close", () => { hide(); box.focus(); }));
      node.append(actions);
      place(node, box);
      root.append(node);
      host.dataset.state = verdict.verdict;
    }

    function banner(result, sendAnyway) {
      ensure();
      remove(".banner");
      const node = el("div", "banner " + result.kind);
      let message;
      if (result.kind === "unreachable") {
        message = `guard 服务连接不上（${result.server}，${result.error}）：这条消息没有经过合规检查，`
          + (sendAnyway ? "暂未发送。请启动 guard serve 后重试。" : "已照常发送。请启动 guard serve。");
      } else if (result.kind === "auth") {
        message = "guard 服务拒绝了请求：API key 不对或没有填写（在插件设置中填写）。这条消息暂未发送。";
      } else {
        message = `guard 服务无法检查这条消息：${result.error}。这条消息暂未发送。`;
      }
      node.append(el("span", "text", message));
      if (sendAnyway) node.append(button("仍然发送", "anyway", () => { hideBanner(); sendAnyway(); }));
      node.append(button("×", "close", hideBanner));
      root.append(node);
      host.dataset.banner = result.kind;
    }

    function checking(box) {
      ensure();
      remove(".checking");
      const node = el("div", "checking", "正在检查…");
      place(node, box);
      root.append(node);
    }

    function doneChecking() {
      remove(".checking");
    }

    function hide() {
      remove(".panel");
      warned = null;
      if (host) delete host.dataset.state;
    }

    function hideBanner() {
      remove(".banner");
      if (host) delete host.dataset.banner;
    }

    return {
      panel, banner, checking, doneChecking, hide, hideBanner,
      acknowledges: (text) => warned !== null && warned === text,
    };
  })();

  const STYLE = `
    .panel, .checking, .banner { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei",
      sans-serif; }
    .panel, .checking { position: fixed; box-sizing: border-box; background: #fff; color: #222;
      border-radius: 8px; box-shadow: 0 6px 24px rgba(0,0,0,.25); font-size: 14px;
      line-height: 1.6; padding: 12px 14px; max-height: 70vh; overflow: auto; }
    .panel.block { border: 2px solid #d93025; }
    .panel.warn { border: 2px solid #f0a800; }
    .title { font-weight: bold; font-size: 15px; margin-bottom: 6px; }
    .badge { color: #fff; border-radius: 3px; padding: 0 6px; margin-right: 8px; font-size: 13px; }
    .block .badge { background: #d93025; }
    .warn .badge { background: #f0a800; }
    .block .title { color: #b3261e; }
    .warn .title { color: #8a5a00; }
    .message { background: #f6f6f6; border-radius: 4px; padding: 6px 8px; white-space: pre-wrap;
      word-break: break-all; }
    mark.block { background: #d93025; color: #fff; border-radius: 2px; padding: 0 1px; }
    mark.warn { background: #ffd54f; color: #222; border-radius: 2px; padding: 0 1px; }
    .reasons { margin: 8px 0; padding-left: 18px; }
    .reasons li { margin: 2px 0; }
    .split { color: #666; font-size: 13px; }
    .warning { color: #b3261e; font-size: 13px; margin: 6px 0; }
    .warn .warning { color: #8a5a00; }
    .suggestion { border: 1px solid #34a853; background: #f1faf3; border-radius: 4px;
      padding: 6px 8px; margin: 8px 0; }
    .suggestion .label { color: #1e7e34; font-weight: bold; font-size: 13px; }
    .hint { color: #666; font-size: 12px; }
    .buttons { display: flex; gap: 8px; margin-top: 8px; }
    button { font: inherit; font-size: 14px; border-radius: 4px; border: 1px solid #bbb;
      background: #fff; padding: 4px 12px; cursor: pointer; }
    button.primary { background: #1a73e8; border-color: #1a73e8; color: #fff; }
    .banner { position: fixed; top: 0; left: 0; width: 100vw; box-sizing: border-box;
      background: #b3261e; color: #fff; font-size: 14px; padding: 8px 14px; display: flex;
      gap: 10px; align-items: center; box-shadow: 0 2px 8px rgba(0,0,0,.3); }
    .banner .text { flex: 1; }
    .banner button { background: #fff; color: #b3261e; border: none; }
    .checking { color: #555; padding: 6px 12px; }
  `;

  setInterval(() => { // keeps the extension's background awake while the chat is open
    if (document.visibilityState === "visible") {
      try { chrome.runtime.sendMessage({ type: "guard-ping" }, () => void chrome.runtime.lastError); }
      catch (_) { /* the extension was reloaded */ }
    }
  }, 20000);
})();
