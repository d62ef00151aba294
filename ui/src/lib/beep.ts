/** Short audible cues for the cashier, synthesised with the Web Audio API (no audio files). */
let context: AudioContext | null = null;

function tone(ctx: AudioContext, frequency: number, start: number, duration: number): void {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = 'sine';
  osc.frequency.value = frequency;
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.25, start + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + duration);
  osc.connect(gain).connect(ctx.destination);
  osc.start(start);
  osc.stop(start + duration + 0.02);
}

/** Plays a rising two-note chime for 'paid' or a low double buzz for 'failed'. Never throws. */
export function beep(kind: 'paid' | 'failed'): void {
  try {
    context ??= new AudioContext();
    const ctx = context;
    if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    const t = ctx.currentTime;
    if (kind === 'paid') {
      tone(ctx, 880, t, 0.12);
      tone(ctx, 1320, t + 0.13, 0.2);
    } else {
      tone(ctx, 220, t, 0.18);
      tone(ctx, 220, t + 0.24, 0.18);
    }
  } catch {
    /* audio unavailable; the on-screen state is what counts */
  }
}
