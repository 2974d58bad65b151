// Lambda-style handlers for petstore.yaml, exported by function name: the Lambda ARN
// arn:aws:lambda:...:function:listPets runs `listPets`. They receive API Gateway's proxy event
// (payload 1.0) and return its proxy response, as they would on AWS. State is in memory.
const pets = [
  { id: '1', type: 'dog', name: 'Rex' },
  { id: '2', type: 'cat', name: 'Tom' },
]

const json = (statusCode, value) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) })

export async function listPets(event) {
  const type = event.queryStringParameters?.type
  return json(200, type ? pets.filter((p) => p.type === type) : pets)
}

export async function getPet(event) {
  const pet = pets.find((p) => p.id === event.pathParameters?.petId)
  return pet ? json(200, pet) : json(404, { message: 'no such pet' })
}

export async function createPet(event) {
  let input
  try {
    input = JSON.parse(event.body ?? '')
  } catch {
    return json(400, { message: 'the body must be JSON' })
  }
  if (typeof input?.name !== 'string' || typeof input?.type !== 'string') return json(400, { message: 'name and type are required strings' })
  const pet = { id: String(pets.length + 1), type: input.type, name: input.name }
  pets.push(pet)
  return json(201, { ...pet, createdBy: event.requestContext.identity.apiKeyId })
}
