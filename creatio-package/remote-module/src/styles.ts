/* Freedom UI's look, close enough: white cards on a grey page, blue primary buttons. */
export const SHARED_STYLES = `
:host { display: block; font-family: "Montserrat", "Segoe UI", Roboto, Arial, sans-serif; font-size: 14px;
  color: #0d2e4e; }
.card { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(13,46,78,.15); padding: 16px 20px;
  margin-bottom: 16px; }
h2 { font-size: 18px; font-weight: 600; margin: 0 0 12px; }
h3 { font-size: 15px; font-weight: 600; margin: 0 0 8px; }
button { font: inherit; border-radius: 4px; border: 1px solid #c6cfda; background: #fff; color: #0d2e4e;
  padding: 6px 14px; cursor: pointer; }
button.primary { background: #0058ef; border-color: #0058ef; color: #fff; }
button.danger { background: #fff; border-color: #d32f2f; color: #d32f2f; }
button.danger.confirm { background: #d32f2f; color: #fff; }
button:disabled { opacity: .5; cursor: default; }
input, select { font: inherit; border: 1px solid #c6cfda; border-radius: 4px; padding: 5px 8px; background: #fff;
  color: inherit; }
input[type=checkbox] { width: 16px; height: 16px; vertical-align: middle; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; font-weight: 600; color: #5a6d82; font-size: 12px; text-transform: uppercase;
  border-bottom: 1px solid #e3e8ef; padding: 6px 8px; }
td { border-bottom: 1px solid #eef1f5; padding: 6px 8px; }
.error { color: #d32f2f; font-size: 13px; }
.hint { color: #5a6d82; font-size: 12px; }
.toolbar { display: flex; gap: 8px; align-items: center; margin-bottom: 12px; flex-wrap: wrap; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 8px; font-size: 12px; background: #eef1f5; }
.badge.in_sync { background: #e3f6e8; color: #1b7a3a; }
.badge.pending { background: #fff4dc; color: #8a5a00; }
.badge.conflict { background: #fde7e7; color: #b71c1c; }
`;
