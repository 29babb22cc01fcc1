// glassnet playground: the WebSocket to the server. Reconnects with backoff, pings to stay alive, and hands
// every message to the `onMessage` given to `open`. The session id also names the download links.
import { $, randomId } from "./util.js";
import { setStatus } from "./errors.js";

export const conn = {
  ws: null,
  id: null,
  pingTimer: null,
  retry: 500,
  fatal: false,
  onMessage: null,
  open(onMessage = this.onMessage) {
    this.onMessage = onMessage;
    this.id = randomId();
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/${this.id}`);
    this.ws = ws;
    $("download-model").href = `/api/sessions/${this.id}/model`;
    $("download-snippet").href = `/api/sessions/${this.id}/snippet`;
    ws.onopen = () => { this.retry = 500; setStatus(""); };
    ws.onmessage = (ev) => this.onMessage(JSON.parse(ev.data));
    ws.onclose = () => {
      clearInterval(this.pingTimer);
      if (this.fatal) return;
      setStatus("connection lost; reconnecting…");
      setTimeout(() => this.open(), this.retry);
      this.retry = Math.min(this.retry * 2, 8000);
    };
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.send({ type: "ping" }), 5000);
  },
  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  },
};
