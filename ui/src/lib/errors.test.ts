import { describe, expect, it } from 'vitest';
import { errorArguments, errorText, isAppError, toAppError } from './errors';

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
  const pinWrong = { code: 'pin_wrong', message: 'wrong PIN for Ann: 2 tries left before a wait', field: 'pin', params: { tries_left: '2' } };

  it('is the core’s own sentence in English', () => {
    expect(errorText(pinWrong, 'en')).toBe('wrong PIN for Ann: 2 tries left before a wait');
  });

  it('is the code’s message filled with the core’s params in another language, without the English', () => {
    expect(errorText(pinWrong, 'fr-CA')).toBe('NIP erroné : encore 2 essais avant une attente.');
    expect(errorText({ ...pinWrong, params: { tries_left: '1' } }, 'fr-CA')).toBe('NIP erroné : encore 1 essai avant une attente.');
    expect(errorText(pinWrong, 'zh-CN')).toBe('PIN 错误：还可再试 2 次，之后需等待。');
  });

  it('writes a cap’s amounts as the language writes money, and names the action and the role', () => {
    const overCap = {
      code: 'over_cap',
      message: 'Max may refund 20.00 CAD more today (of 50.00 CAD): the owner approves the rest',
      field: 'amount',
      params: { allowance: 'left', name: 'Max', left_minor: '2000', cap_minor: '5000', currency: 'CAD' },
    };
    expect(errorText(overCap, 'fr-CA')).toBe(
      'Max peut encore rembourser 20,00 $ aujourd’hui (sur 50,00 $) : le propriétaire approuve le reste.',
    );
    const noAllowance = { ...overCap, params: { allowance: 'none', name: 'Max', currency: 'INR' } };
    expect(errorText(noAllowance, 'hi')).toContain('Max के पास INR में रिफ़ंड की सीमा नहीं है');
    const needsApproval = {
      code: 'needs_approval',
      message: 'Cleo (cashier) may not refund or void: a manager or the owner approves with their PIN',
      field: 'pin',
      params: { name: 'Cleo', role: 'cashier', action: 'refund', approver: 'manager' },
    };
    expect(errorText(needsApproval, 'fr-CA')).toBe(
      'Cleo (caissier) ne peut pas rembourser ou annuler : un gérant ou le propriétaire approuve avec son NIP.',
    );
    expect(errorText(needsApproval, 'zh-CN')).toBe('Cleo（收银员）无权退款或撤销：需由经理或店主输入 PIN 批准。');
  });

  it('puts the gateway’s own words in the sentence, and its name', () => {
    const rejected = {
      code: 'gateway_rejected',
      message: 'iotpay refused: insufficient balance (code 1002)',
      field: null,
      params: { gateway: 'iotpay', gateway_code: '1002', gateway_message: 'insufficient balance' },
    };
    expect(errorText(rejected, 'fr-CA')).toBe('IOTPay a refusé : insufficient balance (code 1002).');
  });

  it('adds the core’s sentence as detail where only it holds the particulars, and for a code it does not know', () => {
    const invalid = { code: 'invalid_input', message: 'shop.name: at most 60 characters', field: 'shop.name', params: { field: 'shop.name' } };
    expect(errorText(invalid, 'fr-CA')).toBe('Une donnée saisie n’est pas valide. (détail : shop.name: at most 60 characters)');
    expect(errorText({ code: 'something_new', message: 'boom', field: null, params: {} }, 'zh-CN')).toBe('出现错误。（详情：boom）');
  });

  it('shows an error the window made in its own words as it is', () => {
    expect(errorText({ code: 'invalid_amount', message: 'Saisissez un montant.', field: 'amount' }, 'fr-CA')).toBe('Saisissez un montant.');
  });

  it('falls back to general words with the core’s sentence when the params are missing', () => {
    expect(errorText({ code: 'over_cap', message: 'over the cap', field: 'amount', params: {} }, 'fr-CA')).toContain('over the cap');
  });

  it('is the code’s message when the core sent no sentence', () => {
    expect(errorText({ code: 'storage', message: '', field: null, params: {} }, 'en')).toBe(
      'The ledger on this computer could not be read or written.',
    );
  });
});

describe('errorArguments', () => {
  it('keeps names and numbers that are not counts as they were written', () => {
    const values = errorArguments({ name: '1234', shift: '1002', tries_left: '2' }, 'en');
    expect(values).toEqual({ name: '1234', shift: '1002', tries_left: 2 });
    expect(errorText({ code: 'shift_open', message: 'x', field: null, params: { shift: '1002' } }, 'fr-CA')).toBe(
      'Le quart 1002 est encore ouvert à cette caisse : fermez-le d’abord.',
    );
  });
});
