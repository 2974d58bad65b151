/**
 * Mapping templates on Express 5: a request template turns a form post into the JSON the route
 * expects, a response template reshapes the route's answer, and integration responses map a 404
 * from the route to a documented error shape.
 *
 * Build the packages (`pnpm build`), compile or run this file with your TypeScript runner, then:
 *
 *   curl -s -X POST -d 'name=Rex+the+dog&type=dog' http://127.0.0.1:3000/pets     # form → JSON → route
 *   curl -s http://127.0.0.1:3000/pets/1                                             # reshaped answer
 *   curl -si http://127.0.0.1:3000/pets/9                                            # 404 → mapped error
 *   curl -si -X POST -H 'content-type: text/csv' -d 'a,b' http://127.0.0.1:3000/pets # 415
 */
import { gateway } from '@sluice/express'
import express from 'express'

const gw = gateway({
  stage: { name: 'prod', variables: { region: 'eu' } },
  // a failing template answers 500; this is where its reason is logged
  onError: (error, exchange) => console.error(`[${exchange.context.requestId}]`, error),
})

const app = express()

const toJson = gw.transform({
  request: {
    // form fields to a JSON object; every value escaped for a JSON string
    'application/x-www-form-urlencoded': `{
#foreach($pair in $input.body.split('&'))
#set($kv = $pair.split('='))
  "$util.urlDecode($kv[0])": "$util.escapeJavaScript($util.urlDecode($kv[1])).replaceAll("\\\\'","'")"#if($foreach.hasNext),#end
#end
}`,
    // JSON passes through, with the caller's address added
    'application/json': `{"pet": $input.json('$'), "from": "$context.identity.sourceIp"}`,
  },
  passthroughBehavior: 'NEVER', // any other media type: 415 UNSUPPORTED_MEDIA_TYPE
})

// the route sees the rendered body as req.body (parsed when it is JSON)
app.post('/pets', toJson, (req, res) => {
  res.status(201).json({ created: req.body as unknown })
})

const reshape = gw.transform({
  responses: {
    default: {
      statusCode: 200,
      responseTemplates: {
        'application/json': `#set($pet = $input.path('$'))
{"id": $pet.id, "label": "$util.escapeJavaScript($pet.name) ($pet.type)", "region": "$stageVariables.region"}`,
      },
    },
    '404': {
      statusCode: 404,
      responseParameters: { 'method.response.header.x-request-id': 'context.requestId' },
      responseTemplates: { 'application/json': '{"error": "no pet $input.params(\'id\')"}' },
    },
  },
})

const pets = new Map([['1', { id: 1, name: 'Rex', type: 'dog' }]])
app.get('/pets/:id', reshape, (req, res) => {
  const pet = pets.get(req.params.id ?? '')
  if (pet === undefined) return void res.status(404).json({ message: 'not found' })
  res.json(pet)
})

app.listen(3000, '127.0.0.1', () => console.log('listening on http://127.0.0.1:3000'))
