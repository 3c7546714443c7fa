import bcrypt from 'bcrypt'

const COST = Number(process.env.BCRYPT_COST ?? 10)
export const MIN_PASSWORD_LENGTH = 8

export async function hashPassword (password: string): Promise<string> {
  return await bcrypt.hash(password, COST)
}

// A real hash of a random string: comparing against it costs what a real check costs, so an
// unknown email answers in the same time as a wrong password.
export const DUMMY_HASH = bcrypt.hashSync(Math.random().toString(36), COST)

/** Checks a password; with a null hash (unknown user, or one without a password) it still spends one bcrypt comparison and is false. */
export async function verifyPassword (password: string, hash: string | null): Promise<boolean> {
  const ok = await bcrypt.compare(password, hash ?? DUMMY_HASH)
  return hash !== null && ok
}
