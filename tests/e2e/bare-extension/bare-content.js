// `bare.send(msg)`: one long-lived port, as extension/content/main.js sends its checks; requests
// in flight when the worker stops go again as one-off messages.
globalThis.bare = (() => {
  let port = null;
  let nextId = 0;
  const waiting = new Map(); // id → {msg, resolve}
  function open() {
    const p = chrome.runtime.connect({ name: 'bare' });
    p.onMessage.addListener((m) => {
      const w = waiting.get(m.id);
      if (w) waiting.delete(m.id), w.resolve(m.reply);
    });
    p.onDisconnect.addListener(() => {
      if (port === p) port = null;
      for (const w of waiting.values()) chrome.runtime.sendMessage(w.msg).then(w.resolve);
      waiting.clear();
    });
    return p;
  }
  return {
    send(msg) {
      return new Promise((resolve) => {
        if (!port) port = open();
        const id = ++nextId;
        waiting.set(id, { msg, resolve });
        port.postMessage({ id, msg });
      });
    },
  };
})();
