/**
 * Another process's resources from /proc: its peak memory (VmHWM, the kernel's high-water mark of
 * resident memory, sampled while it runs, since it is gone from /proc once it exits) and the CPU
 * time it has used.
 *
 * @module
 */

/** Watches `pid`'s VmHWM every 100 ms; `stop()` returns the highest seen, in MB. */
export function watchPeakRss(pid: number): { stop(): number } {
  let peak = 0;
  const look = () => {
    try {
      const status = Deno.readTextFileSync(`/proc/${pid}/status`);
      peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    } catch {
      // gone: the last sample stands
    }
  };
  look();
  const timer = setInterval(look, 100);
  return {
    stop() {
      look();
      clearInterval(timer);
      return peak;
    },
  };
}

/**
 * CPU seconds `pid` has used so far, user and system, all its threads (`/proc/PID/stat` counts in
 * clock ticks, 100 a second on Linux).
 */
export function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // The command name may hold spaces; the fields after it do not.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds the whole machine has spent working so far: every process on every core, and the
 * kernel on their behalf (`/proc/stat`: user, nice, system, irq and softirq; not idle, I/O wait
 * or time a hypervisor stole).
 */
export function machineCpuSeconds(): number {
  const fields = Deno.readTextFileSync("/proc/stat").split("\n", 1)[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq] = fields.slice(1).map(Number);
  return (user + nice + system + irq + softirq) / 100;
}

/** Runs a command to the end; returns its seconds, peak RSS (MB) and stdout. */
export async function timedCommand(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ seconds: number; peakRssMb: number; stdout: string }> {
  const started = performance.now();
  const child = new Deno.Command(command, { args, env, stdout: "piped", stderr: "inherit" })
    .spawn();
  const rss = watchPeakRss(child.pid);
  const out = await child.output();
  const peakRssMb = rss.stop();
  if (!out.success) throw new Error(`${command} ${args.join(" ")} failed`);
  return {
    seconds: (performance.now() - started) / 1000,
    peakRssMb,
    stdout: new TextDecoder().decode(out.stdout),
  };
}
