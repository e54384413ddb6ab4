// Video through hls.js (Media Source Extensions), or natively where the browser plays HLS.
// Records the time from the user's click to the first decoded frame for the console's figures.
import { sameOrigin } from "./api.js";
import { probe } from "./dom.js";

const Hls = window.Hls;

export class Player {
  constructor(video, { onError } = {}) {
    this.video = video;
    this.onError = onError || ((m) => console.warn(m));
    this.hls = null;
  }

  stop() {
    if (this.hls) {
      this.hls.destroy();
      this.hls = null;
    }
    this.video.removeAttribute("src");
    this.video.load();
  }

  /** Play `url`; `clickedAt` (performance.now() of the user's click) times the first frame. */
  play(url, { clickedAt = null, seek = 0 } = {}) {
    this.stop();
    // Only our own server's paths are ever played.
    const src = sameOrigin(url).toString();
    const video = this.video;
    if (clickedAt !== null) this.watchFirstFrame(clickedAt);
    if (Hls && Hls.isSupported()) {
      const hls = new Hls({
        // Recorded ranges start at their first segment; seek to the clicked time.
        startPosition: seek,
        enableWorker: true,
        xhrSetup: (xhr) => {
          xhr.withCredentials = true;
        },
      });
      this.hls = hls;
      hls.on(Hls.Events.ERROR, (_e, data) => {
        if (data.fatal) {
          this.onError(`video error: ${data.details || data.type}`);
          hls.destroy();
          if (this.hls === hls) this.hls = null;
        }
      });
      hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch((e) => this.onError(`cannot start video: ${e.message}`)));
      hls.loadSource(src);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
      video.addEventListener("loadedmetadata", () => {
        if (seek) video.currentTime = seek;
        video.play().catch((e) => this.onError(`cannot start video: ${e.message}`));
      }, { once: true });
    } else {
      this.onError("this browser cannot play HLS video (hls.js missing: run `make console-assets`)");
    }
  }

  watchFirstFrame(clickedAt) {
    const video = this.video;
    const done = () => {
      const ms = performance.now() - clickedAt;
      probe.metrics.clickToFirstFrameMs = ms;
      probe.metrics.firstFrames = (probe.metrics.firstFrames || []).concat([ms]);
    };
    if ("requestVideoFrameCallback" in video) video.requestVideoFrameCallback(() => done());
    else video.addEventListener("playing", done, { once: true });
  }
}
