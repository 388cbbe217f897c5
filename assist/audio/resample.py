"""Streaming rational resampler (polyphase windowed-sinc FIR) in numpy, and mono mixdown.

Microphones run at whatever rate the device offers (44.1/48 kHz is common); Whisper and the VAD want 16 kHz.
The resampler keeps its input history between blocks, so a signal cut into blocks of any size comes out
sample-for-sample identical to the whole signal resampled at once: no clicks at block edges.

Alignment: output sample n is the input signal at time n / out_rate (zero-phase filter), so positions in the
resampled audio equal positions in the original. The price is a look-ahead of ``delay_in`` input samples
(about 0.5 ms at 48 kHz); ``flush()`` returns the held-back tail at the end of a stream.
"""

from __future__ import annotations

from math import ceil, gcd

import numpy as np

TARGET_RATE = 16000

# Outputs computed per vectorised step: bounds the temporary (outputs x taps) window matrix to a few MB.
_CHUNK = 4096


def to_mono(block: np.ndarray, channel: int | None = None) -> np.ndarray:
    """(frames,) or (frames, channels) → float32 (frames,): one channel picked, or all channels averaged."""
    a = np.asarray(block)
    if a.ndim == 2:
        a = a[:, channel] if channel is not None else a.mean(axis=1)
    return np.ascontiguousarray(a, dtype=np.float32)


class StreamResampler:
    """Resample a stream of float32 mono blocks from ``in_rate`` to ``out_rate``.

    ``process(block)`` returns every output sample that can be computed so far; ``flush()`` ends the stream
    and returns the rest, so the total output length is ``ceil(n_in * out_rate / in_rate)``.
    Not thread-safe: one thread feeds it (the audio drain thread).
    """

    def __init__(self, in_rate: int | float, out_rate: int = TARGET_RATE, *, zero_crossings: int = 24,
                 rolloff: float = 0.9, beta: float = 8.6):
        in_rate = int(round(in_rate))
        if in_rate <= 0 or out_rate <= 0:
            raise ValueError(f"sample rates must be positive, got {in_rate} → {out_rate}")
        self.in_rate = in_rate
        self.out_rate = int(out_rate)
        g = gcd(in_rate, self.out_rate)
        self._up = self.out_rate // g  # L
        self._down = in_rate // g  # M
        self.passthrough = self._up == self._down
        if self.passthrough:
            self.delay_in = 0
        else:
            L, M = self._up, self._down
            # Cut-off just below the lower of the two Nyquist frequencies (in cycles per upsampled sample).
            fc = rolloff * 0.5 / max(L, M)
            c = int(ceil(zero_crossings / (2.0 * fc)))  # half length: `zero_crossings` lobes each side
            m = np.arange(2 * c + 1, dtype=np.float64) - c
            h = 2.0 * fc * np.sinc(2.0 * fc * m) * np.kaiser(2 * c + 1, beta) * L  # ×L: zero-stuffing gain
            K = int(ceil(h.size / L))
            h = np.concatenate([h, np.zeros(K * L - h.size)])
            # Polyphase bank: row p holds the taps that meet real input samples when the phase is p.
            self._bank = np.ascontiguousarray(h.reshape(K, L).T, dtype=np.float32)  # (L, K): h[p + k*L]
            self._c = c
            self._taps = K
            self._k = np.arange(K, dtype=np.int64)
            self.delay_in = c // L + 1
        self.reset()

    def reset(self) -> None:
        """Forget the stream so far (e.g. after switching to a new device)."""
        self._in_total = 0
        self._n = 0
        self._flushed = False
        if not self.passthrough:
            # Zeros before the first sample let the first outputs use a full window.
            self._buf = np.zeros(self._taps, dtype=np.float32)
            self._buf_start = -self._taps

    @property
    def samples_in(self) -> int:
        return self._in_total

    def process(self, block: np.ndarray) -> np.ndarray:
        x = np.asarray(block, dtype=np.float32).reshape(-1)
        if self._flushed:
            raise RuntimeError("StreamResampler.process() after flush(); call reset() first")
        self._in_total += x.size
        if self.passthrough:
            return x.copy()
        self._buf = np.concatenate([self._buf, x])
        # Output n needs input up to index (n*M + c) // L.
        n_end = (self._in_total * self._up - 1 - self._c) // self._down + 1
        return self._run(max(self._n, n_end))

    def flush(self) -> np.ndarray:
        """End of stream: the outputs still held back by the look-ahead."""
        if self._flushed:
            return np.zeros(0, dtype=np.float32)
        self._flushed = True
        if self.passthrough:
            return np.zeros(0, dtype=np.float32)
        n_total = -(-self._in_total * self._up // self._down)  # ceil
        self._buf = np.concatenate([self._buf, np.zeros(self.delay_in + self._taps, dtype=np.float32)])
        return self._run(max(self._n, n_total))

    def _run(self, n_end: int) -> np.ndarray:
        if n_end <= self._n:
            return np.zeros(0, dtype=np.float32)
        L, M = self._up, self._down
        out = np.empty(n_end - self._n, dtype=np.float32)
        pos = 0
        for n0 in range(self._n, n_end, _CHUNK):
            n = np.arange(n0, min(n0 + _CHUNK, n_end), dtype=np.int64)
            t = n * M + self._c
            imax = t // L
            idx = (imax - self._buf_start)[:, None] - self._k[None, :]
            out[pos:pos + n.size] = np.einsum("nk,nk->n", self._buf[idx], self._bank[t % L])
            pos += n.size
        self._n = n_end
        # Drop input no later output can reach.
        keep_from = (n_end * M + self._c) // L - self._taps + 1
        drop = keep_from - self._buf_start
        if drop > 0:
            self._buf = self._buf[drop:]
            self._buf_start += drop
        return out


def resample(x: np.ndarray, in_rate: int | float, out_rate: int = TARGET_RATE) -> np.ndarray:
    """Resample a whole mono signal (same result as streaming it block by block)."""
    r = StreamResampler(in_rate, out_rate)
    return np.concatenate([r.process(x), r.flush()])
