import { createAdminHandler } from '../lib/admin/admin-handler.ts';
import { streamingHandler } from './streaming-handler.ts';

/** The admin API, behind an AWS_IAM Function URL. */
export const handler = streamingHandler(createAdminHandler());
