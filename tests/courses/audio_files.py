"""Real audio files for tests, made with PyAV (no fixtures on disk)."""

import io
import math
import random
import wave

import av


def wav_bytes(seconds: float, *, rate: int = 48_000, noisy: bool = False) -> bytes:
    """A mono 16-bit WAV: a wavering tone, or (noisy) tone plus noise, the hardest to compress."""
    rng = random.Random(7)
    frames = bytearray()
    for i in range(int(seconds * rate)):
        t = i / rate
        sample = 0.4 * math.sin(2 * math.pi * (220 + 80 * math.sin(2 * math.pi * 0.5 * t)) * t)
        if noisy:
            sample = 0.5 * sample + 0.3 * (rng.random() * 2 - 1)
        frames += int(sample * 32767).to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def transcode(data: bytes, *, format: str, codec: str, rate: int = 48_000) -> bytes:
    """Re-encode WAV bytes, e.g. as WebM/Opus stereo like Chromium's MediaRecorder, or MP3."""
    output = io.BytesIO()
    with av.open(io.BytesIO(data)) as source, av.open(output, "w", format=format) as out:
        stream = out.add_stream(codec, rate=rate, layout="stereo")
        resampler = av.AudioResampler(
            format=stream.codec_context.format, layout="stereo", rate=rate
        )
        for frame in source.decode(audio=0):
            frame.pts = None
            for resampled in resampler.resample(frame):
                out.mux(stream.encode(resampled))
        for resampled in resampler.resample(None):
            out.mux(stream.encode(resampled))
        out.mux(stream.encode(None))
    return output.getvalue()


def describe(data: bytes) -> dict:
    """What a player sees in a rendition: codec, profile, channels, rate, bit rate, length."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return {
            "format": container.format.name,
            "codec": stream.codec_context.name,
            "profile": stream.codec_context.profile,
            "channels": stream.codec_context.channels,
            "rate": stream.codec_context.sample_rate,
            "seconds": samples / stream.codec_context.sample_rate,
        }
