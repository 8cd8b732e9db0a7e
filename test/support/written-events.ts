// One line of every kind as the broker writes it: each must pass its own schema unchanged.
export const written: Record<string, string> = {
  refresh: '{"ts":"2026-11-22T03:01:12.345Z","event":"refresh","conn":"github-work","trigger":"reactive","outcome":"error","status":400,"error":"invalid_grant","rt_fp":"a1b2c3d4e5f6","pid":4412,"host":"build-7"}',
  token: '{"ts":"2026-11-22T03:01:12.345Z","event":"token","conn":"github-work","at_fp":"a1b2c3d4e5f6","generation":4,"pid":4412,"host":"build-7","ci":true}',
  request: '{"ts":"2026-11-22T03:01:12.345Z","event":"request","conn":"gh","method":"GET","target":"api.github.com","path":"/user","status":200,"at_fp":"a1b2c3d4e5f6","duration_ms":41,"x-ratelimit-remaining":"4999","pid":1,"host":"h"}',
  probe: '{"ts":"2026-11-22T03:01:12.345Z","event":"probe","conn":"gh","check":"identity","outcome":"ok","identity":"alice","pid":1,"host":"h"}',
  login: '{"ts":"2026-11-22T03:01:12.345Z","event":"login","conn":"gh","method":"device","outcome":"ok","identity":"alice","scopes":["repo"],"pid":1,"host":"h"}',
  secret: '{"ts":"2026-11-22T03:01:12.345Z","event":"secret","conn":"gh","source":"env:X","fp":"a1b2c3d4e5f6","pid":1,"host":"h"}',
  remediation: '{"ts":"2026-11-22T03:01:12.345Z","event":"remediation","conn":"gh","action":"refresh","finding":"refresh-race","outcome":"ok","operator":"ana@laptop","pid":1,"host":"h"}',
};
