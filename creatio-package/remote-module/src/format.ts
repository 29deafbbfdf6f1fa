/* Small pure helpers the pages share. */
import { ConnectorError } from "./connector";

/** What to show for a failure: the connector's message (it is written for the user). */
export function messageOf(failure: unknown): string {
  if (failure instanceof ConnectorError) {
    return failure.message;
  }
  return failure instanceof Error ? failure.message : String(failure);
}

/** A skill's capacity as the connector takes it: a whole number 1..100, else the reason it is not. */
export function capacityError(value: string | number): string | null {
  const n = typeof value === "number" ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    return "Capacity is a whole number from 1 to 100";
  }
  return null;
}

/** The import's progress as a percentage (0 while the total is unknown). */
export function percent(done: number, total: number | null | undefined): number {
  if (!total) {
    return 0;
  }
  return Math.min(100, Math.round((done / total) * 100));
}
