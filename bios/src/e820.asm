; The INT 15h E820h memory map (ACPI 6.x, 15.1 "INT 15H, E820H - Query System Address Map").
; The board is its one source: fw_cfg's file etc/e820 (QEMU's struct e820_entry: 64-bit base,
; 64-bit length, 32-bit type, little-endian) holds the RAM and the board's reserved MMIO and ROM
; ranges, the same map the board gives SeaBIOS and -kernel. This BIOS then claims what it uses
; itself, as SeaBIOS does on QEMU: its EBDA up to A0000 and the BIOS area E0000-FFFFF
; (reserved), the video and option ROM hole A0000-DFFFF (left out), and the tables' high zone at
; the top of RAM (reserved, tables.asm). Without fw_cfg or etc/e820 the map is empty and E820h
; fails, as on firmware without it; INT 15h E801h and 88h still size memory from CMOS.

; e820_setup: fills e820_table and e820_count. Called once by POST after tables_setup (which
; sets tables_base) with the F segment still writable.
e820_setup:
        pushad
        push    ds
        push    es
        push    cs
        pop     ds
        push    cs
        pop     es
        mov     word [e820_count], 0
        mov     si, e820_file_name
        call    fwcfg_lookup
        jc      .done
        push    ax                      ; the selector
        cmp     ecx, E820_MAX * 20
        jbe     .fits
        mov     ecx, E820_MAX * 20      ; more than the table holds: the first E820_MAX entries
.fits:  mov     eax, ecx
        xor     edx, edx
        mov     ebx, 20
        div     ebx
        mov     [e820_count], ax
        imul    cx, ax, 20
        pop     ax
        mov     di, e820_table
        cld
        call    fwcfg_read

        movzx   eax, word [base_kib]
        shl     eax, 10
        mov     ecx, 0xA0000
        sub     ecx, eax
        mov     dl, 2
        call    e820_claim              ; the EBDA: reserved
        mov     eax, 0xA0000
        mov     ecx, 0x40000
        mov     dl, 0
        call    e820_claim              ; VGA memory and option ROMs: not listed
        mov     eax, 0xE0000
        mov     ecx, 0x20000
        mov     dl, 2
        call    e820_claim              ; the BIOS area: reserved
        mov     eax, [tables_base]
        mov     ecx, [ram_top]
        sub     ecx, eax
        jz      .done
        mov     dl, 2
        call    e820_claim              ; the tables' high zone: reserved
.done:  pop     es
        pop     ds
        popad
        ret

; e820_claim: takes [EAX, EAX + ECX) below 4 GiB out of every entry it overlaps (an entry that
; covers it on both sides is cut in two, each part keeping its type) and, unless DL = 0, adds it
; as one entry of type DL, in address order. DS = ES = CS (POST, F segment writable). An entry
; that does not fit in the table is dropped.
e820_claim:
        pushad
        mov     [claim_base], eax
        add     eax, ecx
        mov     [claim_end], eax
        mov     [claim_type], dl
        test    ecx, ecx
        jz      .ret
        mov     si, e820_table
        xor     bx, bx
.entry: cmp     bx, [e820_count]
        jae     .add
        cmp     dword [si + 4], 0
        jne     .next                   ; at or above 4 GiB: no overlap
        mov     eax, [si]
        cmp     eax, [claim_end]
        jae     .next                   ; starts after the claim
        mov     edx, [si + 12]
        add     eax, [si + 8]
        adc     edx, 0                  ; EDX:EAX = the entry's end
        jnz     .overlap
        cmp     eax, [claim_base]
        jbe     .next                   ; ends before the claim
.overlap:
        sub     eax, [claim_end]
        sbb     edx, 0                  ; EDX:EAX = what is left after the claim (> 0: a tail)
        mov     edi, [si]
        cmp     edi, [claim_base]
        jae     .no_head
        mov     ecx, [claim_base]       ; the head keeps the entry's place, shortened
        sub     ecx, edi
        mov     [si + 8], ecx
        mov     dword [si + 12], 0
        call    .has_tail
        jz      .next
        inc     bx
        add     si, 20
        call    e820_make_room
        jc      .ret
        mov     ecx, [si - 20 + 16]
        mov     [si + 16], ecx
        jmp     .tail
.no_head:
        call    .has_tail
        jz      .remove
.tail:  mov     ecx, [claim_end]
        mov     [si], ecx
        mov     dword [si + 4], 0
        mov     [si + 8], eax
        mov     [si + 12], edx
.next:  inc     bx
        add     si, 20
        jmp     .entry
.remove:
        call    e820_remove
        jmp     .entry
.add:   cmp     byte [claim_type], 0
        je      .ret
        mov     si, e820_table
        xor     bx, bx
.find:  cmp     bx, [e820_count]
        jae     .put
        cmp     dword [si + 4], 0
        jne     .put
        mov     eax, [si]
        cmp     eax, [claim_base]
        ja      .put
        inc     bx
        add     si, 20
        jmp     .find
.put:   call    e820_make_room
        jc      .ret
        mov     eax, [claim_base]
        mov     [si], eax
        mov     dword [si + 4], 0
        mov     ecx, [claim_end]
        sub     ecx, eax
        mov     [si + 8], ecx
        mov     dword [si + 12], 0
        movzx   eax, byte [claim_type]
        mov     [si + 16], eax
.ret:   popad
        ret
; .has_tail: ZF clear when EDX:EAX, as a signed 64-bit number, is above 0.
.has_tail:
        test    edx, edx
        js      .no_tail
        jnz     .tail_yes
        test    eax, eax
        ret
.no_tail:
        cmp     eax, eax
        ret
.tail_yes:
        or      edx, edx                ; not zero: ZF clear
        ret

; e820_make_room: moves the entries from SI on up by one and counts one more; CF set (nothing
; moved) when the table is full. Keeps every register.
e820_make_room:
        cmp     word [e820_count], E820_MAX
        jb      .room
        stc
        ret
.room:  push    ecx
        push    di
        imul    di, [e820_count], 20
        add     di, e820_table
.move:  cmp     di, si
        jbe     .moved
        sub     di, 4
        mov     ecx, [di]
        mov     [di + 20], ecx
        jmp     .move
.moved: inc     word [e820_count]
        pop     di
        pop     ecx
        clc
        ret

; e820_remove: deletes the entry at SI (the ones after it move down). Keeps every register.
e820_remove:
        push    ecx
        push    di
        push    ax
        imul    ax, [e820_count], 20
        add     ax, e820_table - 20
        mov     di, si
.move:  cmp     di, ax
        jae     .moved
        mov     ecx, [di + 20]
        mov     [di], ecx
        add     di, 4
        jmp     .move
.moved: dec     word [e820_count]
        pop     ax
        pop     di
        pop     ecx
        ret

e820_file_name: db      "etc/e820", 0

claim_base:     dd      0
claim_end:      dd      0
claim_type:     db      0
