"""A real RTSP test camera: GStreamer's gst-rtsp-server on 127.0.0.1.

Run with the system Python (python3-gi lives there, not in the venv)::

    /usr/bin/python3 tests/recording/rtsp_server.py --port 8554 [--file bikes.mp4] [--auth u:p]

Mounts: ``/live`` (live H.264 test pattern, 25 fps, a keyframe every second),
``/bikes`` (the file, once), ``/audio`` (audio only: no video). Prints ``READY``
when it listens. Loopback only.
"""

from __future__ import annotations

import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

LIVE = (
    "( videotestsrc is-live=true pattern=ball ! "
    "video/x-raw,width=320,height=240,framerate=25/1 ! "
    "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 bitrate=400 ! "
    "video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1 )"
)
AUDIO = (
    "( audiotestsrc is-live=true ! audio/x-raw,rate=8000,channels=1 ! audioconvert ! "
    "rtpL16pay name=pay0 pt=97 )"
)


def _factory(launch: str, shared: bool, role: str | None) -> GstRtspServer.RTSPMediaFactory:
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    factory.set_shared(shared)
    if role is not None:
        factory.add_role_from_structure(
            Gst.Structure.from_string(
                f"{role}, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
            )[0]
        )
    return factory


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--file")
    parser.add_argument("--auth", help="user:password required by every mount")
    args = parser.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")  # loopback only, always
    server.set_service(str(args.port))
    role = None
    if args.auth:
        user, password = args.auth.split(":", 1)
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", "user")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
        server.set_auth(auth)
        role = "user"
    mounts = server.get_mount_points()
    mounts.add_factory("/live", _factory(LIVE, True, role))
    mounts.add_factory("/audio", _factory(AUDIO, True, role))
    if args.file:
        location = args.file.replace("\\", "\\\\").replace('"', '\\"')
        mounts.add_factory(
            "/bikes",
            _factory(
                f'( filesrc location="{location}" ! qtdemux ! h264parse ! '
                "rtph264pay name=pay0 pt=96 config-interval=1 )",
                False,
                role,
            ),
        )
    if server.attach(None) == 0:
        print("FAILED to bind", flush=True)
        return 1
    print("READY", flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
