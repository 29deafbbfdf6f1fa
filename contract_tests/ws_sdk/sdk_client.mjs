// webitel-sdk's own Client, unchanged, against the emulator's WebSocket: an agent's CTI panel.
// Env: EMULATOR_URL (the emulator's root URL), AGENT_TOKEN (an agent's token), QUEUE_ID (an inbound
// queue the agent serves). Prints a JSON line per step; exits 0 when every step saw what it expected.
import { WebSocket } from 'ws'

if (!globalThis.WebSocket) globalThis.WebSocket = WebSocket // Node 20 has no global WebSocket

const { Client } = await import('webitel-sdk')

const root = process.env.EMULATOR_URL
const token = process.env.AGENT_TOKEN
const queueId = process.env.QUEUE_ID
const log = (step, data = {}) => console.log(JSON.stringify({ step, ...data }))

const seen = { statuses: [], calls: [], received: [] }
const waiters = []
const notify = () => {
  for (const w of [...waiters]) {
    if (w.test()) {
      waiters.splice(waiters.indexOf(w), 1)
      clearTimeout(w.timer)
      w.resolve()
    }
  }
}
const until = (test, what, ms = 10000) => new Promise((resolve, reject) => {
  if (test()) return resolve()
  const w = { test, resolve }
  w.timer = setTimeout(() => {
    waiters.splice(waiters.indexOf(w), 1)
    reject(new Error(`timed out waiting for ${what}; seen ${JSON.stringify(seen.calls.concat(seen.statuses))}`))
  }, ms)
  waiters.push(w)
})
const check = (ok, what) => { if (!ok) throw new Error(`expected ${what}`) }
const http = async (method, path, body, headers = {}) => {
  const r = await fetch(`${root}${path}`, {
    method, headers: { 'Content-Type': 'application/json', ...headers }, body: body && JSON.stringify(body)
  })
  const data = await r.json()
  check(r.ok, `${method} ${path} to succeed, got ${r.status} ${JSON.stringify(data)}`)
  return data
}
const callEvents = (id, action) => seen.calls.filter(c => c.id === id && c.action === action).length

const cli = new Client({ endpoint: `${root}/ws`, token, logLvl: 'error', applicationName: 'sdk-check' })
try {
  await cli.connect()
  await cli.auth()
  const helloed = () => { try { return !!cli.instanceId } catch { return false } }
  const poll = setInterval(notify, 20) // the hello event may follow the reply: wait for the SDK to store it
  await until(helloed, 'the hello event')
  clearInterval(poll)
  log('hello', { sock_id: cli.instanceId, user_id: cli.sessionInfo().user_id, use_cc: cli.canUseCC })

  const agent = await cli.agentSession()
  log('agent_session', { agent_id: agent.agentId, status: agent.status })
  await cli.subscribeAgentsStatus((e) => { seen.statuses.push(e.status); notify() }, { agent_id: agent.agentId })
  await cli.subscribeCall((action, call) => { seen.calls.push({ action, id: call.id }); notify() })
  cli.on('call_receive', (call) => { seen.received.push(call.id); notify() })

  // A status set over REST (as the connector sets it) reaches the socket, and the SDK's Agent follows it.
  await http('PATCH', `/api/call_center/agents/${agent.agentId}/status`, { status: 'online' },
    { 'X-Webitel-Access': token })
  await until(() => agent.status === 'online', 'online set over REST')
  log('rest_status', { status: agent.status })

  await agent.pause('Lunch')
  await until(() => agent.status === 'pause', 'pause')
  check(agent.statusPayload === 'Lunch', 'the pause cause as payload')
  await agent.online()
  await until(() => agent.status === 'online', 'online again')
  log('socket_status', { statuses: seen.statuses })

  // The control plane's inbound call rings the agent's panel.
  const made = await http('POST', '/__emulator__/calls', { queue_id: queueId, from: '+15551234' })
  await until(() => seen.received.includes(made.id), 'the inbound call to ring')
  const call = cli.callById(made.id)
  check(call.direction === 'inbound' && call.displayNumber === '+15551234', 'an inbound call from +15551234')
  check(call.queue && call.queue.queue_id === String(queueId), 'the call to carry its queue')
  log('ringing', { id: call.id, from: call.displayNumber, queue: call.queue.queue_name })

  await http('POST', `/__emulator__/calls/${made.id}/answer`)
  await until(() => callEvents(made.id, 'active') === 1, 'the call to be answered')
  check(call.answeredAt > 0 && call.allowHold, 'an answered call that can be held')
  await call.hold()
  await until(() => call.isHold, 'hold')
  await call.unHold()
  await until(() => callEvents(made.id, 'active') === 2, 'unhold')
  await call.hangup()
  await until(() => call.hangupAt > 0, 'hangup')
  log('call', { events: seen.calls.filter(c => c.id === made.id).map(c => c.action), cause: call.hangupCause })

  // The panel's own outbound call.
  const own = await cli.invite({ destination: '5551' })
  await until(() => callEvents(own.id, 'active') === 1, 'the own call to be active')
  await cli.callById(own.id).hangup()
  await until(() => callEvents(own.id, 'hangup') === 1, 'the own call to end')

  await agent.offline()
  await until(() => agent.status === 'offline', 'offline')
  const pong = await cli.ping()
  check(pong && pong.pong === 1, 'a pong')
  log('done', { statuses: seen.statuses })
  await cli.disconnect()
  process.exit(0)
} catch (err) {
  console.error(`webitel-sdk check failed: ${err && err.stack ? err.stack : JSON.stringify(err)}`)
  process.exit(1)
}
