/* The connector's shapes the pages read (its OpenAPI document is the full description). */
export interface Ref { id: string; name: string }

export interface SkillRow { skill: Ref; capacity: number; active: boolean }

export interface WebitelUser {
  id: string;
  user: Ref | null;
  contact: Ref | null;
  webitel_username: string;
  extension: string | null;
  webitel_user_id: string | null;
  default_device: Ref | null;
  stun_enabled: boolean;
  is_agent: boolean;
  team: Ref | null;
  agent_status: string | null;
  pause_cause?: string | null;
  licenses: { id: string; product: string }[];
  roles: Ref[];
  skills: SkillRow[];
  warnings: string[];
  sync: { state: string; last_error: string | null };
}

export interface Page<T> { items: T[]; page: number; size: number; total: number }

export interface CreatioUser { id: string; name: string; type: string; active: boolean; contact: Ref }

export interface Lookup { id: string; name: string }
export interface LicenseLookup { id: string; product: string; remain?: number; available?: boolean }
export interface PauseCause { id: string; name: string; limit_min: number }

export interface ImportJob {
  id: string;
  status: "running" | "succeeded" | "failed";
  progress: { done: number; total: number | null };
  summary: Record<string, number>;
  error?: string | null;
}
