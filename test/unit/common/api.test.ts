// The renderer's API is derived from the contract's channel table: every channel is a method, and
// calling it sends exactly that channel with the request given (or {} when there is none).
import { describe, expect, it } from 'vitest';
import { channelApi, runJob, type ChannelCall, type DenoiseLabApi } from '../../../common/api.js';
import { channels, type Channel } from '../../../common/contract/index.js';

function recordingCall(answer: (channel: Channel, request: unknown) => unknown = () => ({})) {
  const sent: { channel: string; request: unknown }[] = [];
  const call = (async (channel: Channel, request: unknown) => {
    sent.push({ channel, request });
    return answer(channel, request);
  }) as ChannelCall;
  return { call, sent };
}

describe('channelApi', () => {
  it('has one method per channel of the table, each sending its own channel', async () => {
    const { call, sent } = recordingCall();
    const api = channelApi(call) as unknown as Record<string, Record<string, (r?: unknown) => Promise<unknown>>>;
    const names = Object.keys(channels);
    expect(names.length).toBeGreaterThan(20);
    for (const [i, channel] of names.entries()) {
      const [group, method] = channel.split(':') as [string, string];
      expect(typeof api[group]?.[method], channel).toBe('function');
      await api[group]![method]!({ marker: i });
    }
    expect(sent).toEqual(names.map((channel, i) => ({ channel, request: { marker: i } })));
    // Nothing beyond the table: the groups hold exactly the table's methods.
    const methods = Object.entries(api).flatMap(([g, m]) => Object.keys(m).map((k) => `${g}:${k}`));
    expect(methods.sort()).toEqual([...names].sort());
  });

  it('sends {} for a channel called without a request', async () => {
    const { call, sent } = recordingCall();
    const api = channelApi(call);
    await api.models.list();
    await api.checkpoints.list();
    expect(sent).toEqual([
      { channel: 'models:list', request: {} },
      { channel: 'checkpoints:list', request: {} },
    ]);
  });

  it('runJob starts, waits on the same job, and returns its result or throws its error', async () => {
    const outcomes: Record<string, unknown> = {
      'j-1': { jobId: 'j-1', kind: 'estimate-noise', state: 'done', result: { sigma: 12.5 } },
      'j-2': { jobId: 'j-2', kind: 'estimate-noise', state: 'failed', error: 'The photo could not be read.' },
    };
    let next = 0;
    const { call, sent } = recordingCall((channel, request) => {
      if (channel === 'jobs:start') return { jobId: `j-${++next}` };
      return outcomes[(request as { jobId: string }).jobId];
    });
    const api = { ...channelApi(call), jobs: { ...channelApi(call).jobs, onEvent: () => () => undefined } };
    const spec = { kind: 'estimate-noise', params: { imageId: 'img' } } as const;
    await expect(runJob(api as unknown as DenoiseLabApi, spec)).resolves.toEqual({ sigma: 12.5 });
    await expect(runJob(api as unknown as DenoiseLabApi, spec)).rejects.toThrow('The photo could not be read.');
    expect(sent.map((s) => s.channel)).toEqual(['jobs:start', 'jobs:wait', 'jobs:start', 'jobs:wait']);
    expect(sent[1]!.request).toEqual({ jobId: 'j-1' });
  });
});
