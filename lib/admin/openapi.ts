import * as z from 'zod';
import type { AdminRoute } from './route.ts';
import { adminSchemas } from './schemas.ts';

type JsonSchema = Record<string, unknown>;

const COMPONENT_PREFIX = '#/components/schemas/';
const options = { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' } as const;

function schemaOf(schema: z.ZodType): JsonSchema {
  const id = adminSchemas.get(schema)?.id;
  if (id) return { $ref: `${COMPONENT_PREFIX}${id}` };
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, options) as JsonSchema;
  return json;
}

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, options) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      schema: rest,
      ...(description ? { description } : {}),
    };
  });
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `${COMPONENT_PREFIX}Error` } } },
});

/** The admin API as an OpenAPI 3.1 document, generated from the routes' zod schemas. */
export function openApiDocument(routes: readonly AdminRoute[], serverUrl?: string): JsonSchema {
  const { schemas } = z.toJSONSchema(adminSchemas, { ...options, uri: (id) => `${COMPONENT_PREFIX}${id}` }) as {
    schemas: Record<string, JsonSchema>;
  };
  // Components are referenced by their place in the document, not by an $id.
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses: {
        [route.response.status]: {
          description: route.response.description,
          ...(route.response.schema ? { content: { 'application/json': { schema: schemaOf(route.response.schema) } } } : {}),
        },
        400: errorResponse('Invalid request: the message says what is wrong'),
        403: errorResponse('Not authenticated as an administrator'),
        ...(route.params ? { 404: errorResponse('No such item') } : {}),
      },
    };
    if (route.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(route.body) } } };
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sluice admin API',
      version: '1',
      description:
        'Profiles, provider keys, virtual keys, OAuth clients and interaction records. On AWS the admin function URL ' +
        'uses AWS_IAM auth (SigV4, service `lambda`); locally the server asks for the bearer token in SLUICE_DATA_DIR/admin-token.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ sigv4: [] }, { localToken: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        sigv4: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AWS Signature Version 4, service `lambda`.' },
        localToken: { type: 'http', scheme: 'bearer', description: 'The local server: the token in SLUICE_DATA_DIR/admin-token.' },
      },
    },
  };
}
