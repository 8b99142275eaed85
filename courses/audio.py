"""The phone-friendly audio rendition every lesson recording is stored as.

Learners listen on cheap Android phones and in WeChat's browser over slow, paid data: every audio
upload (a microphone take from the editor, an MP3, a WAV…) is decoded and re-encoded in-process with
PyAV (its wheel ships FFmpeg) as mono AAC-LC in an .m4a file at 24 kbit/s, about 180 KB a minute
(docs/decisions/0080-audio-renditions.md).
"""

import tempfile
from dataclasses import dataclass
from typing import BinaryIO

import av
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

RENDITION_EXTENSION = "m4a"
RENDITION_CONTENT_TYPE = "audio/mp4"
RENDITION_BIT_RATE = 24_000
RENDITION_SAMPLE_RATE = 22_050
# A lesson is 3–7 minutes; a recording much longer than that is a mistake, and costs server time.
RENDITION_MAX_SECONDS = 20 * 60

AUDIO_UNREADABLE = _("This file could not be read as audio. Record again or upload an MP3 or M4A.")
AUDIO_TOO_LONG = _("This recording is longer than %(minutes)s minutes; split it into parts.")


@dataclass(frozen=True)
class AudioRendition:
    """An encoded rendition: the .m4a bytes and how long it plays, in seconds."""

    data: bytes
    duration: float

    @property
    def size(self) -> int:
        return len(self.data)


def audio_rendition(source: BinaryIO) -> AudioRendition:
    """Decode any audio FFmpeg reads and encode it as mono AAC-LC .m4a at 24 kbit/s."""
    # faststart (the index before the audio, so phones start playing early) needs a real file.
    with tempfile.NamedTemporaryFile(suffix=f".{RENDITION_EXTENSION}") as output:
        samples = _encode(source, output.name)
        output.seek(0)
        data = output.read()
    return AudioRendition(data=data, duration=samples / RENDITION_SAMPLE_RATE)


def _encode(source: BinaryIO, path: str) -> int:
    """Transcode into the file at `path`; the number of samples written."""
    samples = 0
    try:
        with av.open(source, mode="r") as container:
            if not container.streams.audio:
                raise ValidationError(AUDIO_UNREADABLE, code="audio_unreadable")
            in_stream = container.streams.audio[0]
            with av.open(path, mode="w", format="ipod", options={"movflags": "+faststart"}) as out:
                out_stream = out.add_stream("aac", rate=RENDITION_SAMPLE_RATE, layout="mono")
                out_stream.bit_rate = RENDITION_BIT_RATE
                out_stream.codec_context.profile = "LC"
                resampler = av.AudioResampler(
                    format="fltp", layout="mono", rate=RENDITION_SAMPLE_RATE
                )
                for frame in container.decode(in_stream):
                    frame.pts = None
                    for resampled in resampler.resample(frame):
                        samples += resampled.samples
                        if samples > RENDITION_MAX_SECONDS * RENDITION_SAMPLE_RATE:
                            raise ValidationError(
                                AUDIO_TOO_LONG % {"minutes": RENDITION_MAX_SECONDS // 60},
                                code="audio_too_long",
                            )
                        out.mux(out_stream.encode(resampled))
                for resampled in resampler.resample(None):
                    samples += resampled.samples
                    out.mux(out_stream.encode(resampled))
                out.mux(out_stream.encode(None))
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(AUDIO_UNREADABLE, code="audio_unreadable") from exc
    if samples == 0:
        raise ValidationError(AUDIO_UNREADABLE, code="audio_unreadable")
    return samples


def format_duration(seconds: float | None) -> str:
    """Minutes and seconds, as a trainer reads them: 1:05."""
    total = round(seconds or 0)
    return f"{total // 60}:{total % 60:02d}"
