import { describe, expect, it } from 'vitest';
import { errorText, isAppError, toAppError } from './errors';

describe('toAppError', () => {
  it('keeps an AppError from the core as is', () => {
    const err = { code: 'invalid_amount', message: 'Amount must be positive', field: 'amount' };
    expect(toAppError(err)).toEqual(err);
  });

  it('normalises a missing or empty field to null', () => {
    expect(toAppError({ code: 'storage', message: 'disk full' })).toEqual({
      code: 'storage',
      message: 'disk full',
      field: null,
    });
    expect(toAppError({ code: 'vault', message: 'locked', field: '' }).field).toBeNull();
  });

  it('drops unrelated extra properties', () => {
    expect(toAppError({ code: 'not_found', message: 'No order 7', field: null, extra: 1 })).toEqual({
      code: 'not_found',
      message: 'No order 7',
      field: null,
    });
  });

  it('wraps a bare string rejection as internal', () => {
    expect(toAppError('command create_order not found')).toEqual({
      code: 'internal',
      message: 'command create_order not found',
      field: null,
    });
  });

  it('wraps an Error using its message', () => {
    expect(toAppError(new TypeError('ipc down'))).toEqual({ code: 'internal', message: 'ipc down', field: null });
  });

  it('wraps objects that are not AppError-shaped', () => {
    expect(toAppError({ code: 42, message: 'x' }).code).toBe('internal');
    expect(toAppError({ message: 'no code' }).code).toBe('internal');
    expect(toAppError(null)).toEqual({ code: 'internal', message: 'null', field: null });
    expect(toAppError(undefined).message).toBe('undefined');
  });

  it('never yields an empty message', () => {
    expect(toAppError('').message).toBe('Unexpected error');
    expect(toAppError(new Error('')).message).toBe('Unexpected error');
  });
});

describe('isAppError', () => {
  it('requires string code and message and a string-or-null field', () => {
    expect(isAppError({ code: 'a', message: 'b', field: null })).toBe(true);
    expect(isAppError({ code: 'a', message: 'b', field: 'amount' })).toBe(true);
    expect(isAppError({ code: 'a', message: 'b', field: 3 })).toBe(false);
    expect(isAppError('a')).toBe(false);
  });
});

describe('errorText', () => {
  it('is the core’s own sentence in English', () => {
    expect(errorText({ code: 'pin_wrong', message: 'Wrong PIN: 2 tries left', field: 'pin' })).toBe('Wrong PIN: 2 tries left');
  });

  it('is the code’s message with the core’s sentence as detail in another language', () => {
    expect(errorText({ code: 'pin_wrong', message: 'Wrong PIN: 2 tries left', field: 'pin' }, 'fr-CA')).toBe(
      'NIP erroné. (détail : Wrong PIN: 2 tries left)',
    );
    expect(errorText({ code: 'something_new', message: 'boom', field: null }, 'zh-CN')).toBe('出现错误。（详情：boom）');
  });

  it('is the code’s message when the core sent no sentence', () => {
    expect(errorText({ code: 'storage', message: '', field: null }, 'en')).toBe(
      'The ledger on this computer could not be read or written.',
    );
  });
});
