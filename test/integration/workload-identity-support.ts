/** Shared set-up of the workload-identity tests: moto with a user allowed to assume two roles, and signed GetCallerIdentity requests. */
import aws4 from 'aws4'
import { startMoto, xmlValue } from '../../harness/moto.ts'
import type { AwsCredentials, MotoServer } from '../../harness/moto.ts'

export const AWS_ACCOUNT = '123456789012'
export const ETL_ROLE = `arn:aws:iam::${AWS_ACCOUNT}:role/etl-deployer`
export const WEB_ROLE = `arn:aws:iam::${AWS_ACCOUNT}:role/web-deployer`
export const GET_CALLER_IDENTITY_TYPE = 'urn:conductor:params:oauth:token-type:aws-sts-get-caller-identity'

/** moto with IAM authentication on after the set-up: user `ci` (with an access key) may assume `etl-deployer` and `web-deployer`. */
export async function startAwsWorld(): Promise<{ moto: MotoServer; user: AwsCredentials; assume(roleArn: string): Promise<AwsCredentials> }> {
  const moto = await startMoto({ freeRequests: 5 })
  try {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${AWS_ACCOUNT}:user/ci` }, Action: 'sts:AssumeRole' }] })
    const steps = [
      await moto.call('iam', { Action: 'CreateUser', UserName: 'ci' }),
      await moto.call('iam', { Action: 'PutUserPolicy', UserName: 'ci', PolicyName: 'assume', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }) }),
    ]
    const key = await moto.call('iam', { Action: 'CreateAccessKey', UserName: 'ci' })
    steps.push(key, await moto.call('iam', { Action: 'CreateRole', RoleName: 'etl-deployer', AssumeRolePolicyDocument: trust }), await moto.call('iam', { Action: 'CreateRole', RoleName: 'web-deployer', AssumeRolePolicyDocument: trust }))
    for (const step of steps) if (step.status !== 200) throw new Error(`moto set-up failed: ${step.text.slice(0, 300)}`)
    const user = { accessKeyId: xmlValue(key.text, 'AccessKeyId'), secretAccessKey: xmlValue(key.text, 'SecretAccessKey') }
    return {
      moto, user,
      async assume(roleArn) {
        const answer = await moto.call('sts', { Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: 'ci-job' }, user)
        if (answer.status !== 200) throw new Error(`AssumeRole failed: ${answer.text.slice(0, 300)}`)
        return { accessKeyId: xmlValue(answer.text, 'AccessKeyId'), secretAccessKey: xmlValue(answer.text, 'SecretAccessKey'), sessionToken: xmlValue(answer.text, 'SessionToken') }
      },
    }
  } catch (error) {
    await moto.stop()
    throw error
  }
}

/** A subject token: a GetCallerIdentity request to `stsUrl` signed with `credentials`, carrying `serverId` (as `conductor exchange --aws` builds it). */
export function signedGetCallerIdentity(stsUrl: string, credentials: AwsCredentials, serverId: string, tamper?: (request: { method: string; url: string; headers: Record<string, unknown>; body: string }) => void): string {
  const url = new URL(stsUrl)
  const body = 'Action=GetCallerIdentity&Version=2011-06-15'
  const signed = aws4.sign({
    host: url.host, path: url.pathname, method: 'POST', service: 'sts', region: 'us-east-1', body,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'x-conductor-server-id': serverId },
  }, credentials)
  const request = { method: 'POST', url: url.href, headers: { ...signed.headers } as Record<string, unknown>, body }
  tamper?.(request)
  return Buffer.from(JSON.stringify(request)).toString('base64url')
}
